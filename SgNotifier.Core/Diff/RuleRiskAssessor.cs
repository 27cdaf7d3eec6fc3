using System.Net;

namespace SgNotifier.Core.Diff;

/// <summary>Flags rules open to the whole internet, and among them those that expose all traffic or a risky port.</summary>
public static class RuleRiskAssessor
{
    public static AssessedRule Assess(SecurityGroupRule rule, IReadOnlyCollection<int> riskyPorts)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(riskyPorts);
        var isPublic = IsWorld(rule.Peer);
        var risky = isPublic && rule.Direction == RuleDirection.Ingress && rule.Protocol switch
        {
            "all" => true,
            "tcp" or "udp" => riskyPorts.Any(port => (rule.FromPort ?? 0) <= port && port <= (rule.ToPort ?? 65535)),

            // ICMP "ports" are message types and codes, and other protocols (ESP, GRE, …) have no ports:
            // neither can reach a TCP/UDP service, so they are public but not risky.
            _ => false,
        };
        return new AssessedRule(rule, risky, isPublic);
    }

    /// <summary><c>0.0.0.0/0</c> or <c>::/0</c>, however written.</summary>
    public static bool IsWorld(string peer) =>
        IPNetwork.TryParse(peer, out var network) && network.PrefixLength == 0;
}
