using System.Globalization;
using SgNotifier.Core.Config;

namespace SgNotifier.Core.Diff;

/// <summary>Turns Config's permissions (one protocol, many peers) into atomic <see cref="SecurityGroupRule"/>s.</summary>
public static class PermissionFlattener
{
    public static IReadOnlyList<SecurityGroupRule> Flatten(SecurityGroupConfiguration? configuration, string accountId)
    {
        if (configuration is null)
        {
            return [];
        }

        // One list for the whole group (it holds every rule, 1,000 in the benchmarks): no list per permission.
        var rules = new List<SecurityGroupRule>(configuration.IpPermissions.Count + configuration.IpPermissionsEgress.Count);
        foreach (var permission in configuration.IpPermissions)
        {
            AddRules(rules, RuleDirection.Ingress, permission, accountId);
        }

        foreach (var permission in configuration.IpPermissionsEgress)
        {
            AddRules(rules, RuleDirection.Egress, permission, accountId);
        }

        return rules;
    }

    /// <param name="accountId">The group's own account: references to groups in it are written <c>sg-…</c>, others <c>account/sg-…</c>.</param>
    public static IReadOnlyList<SecurityGroupRule> Flatten(RuleDirection direction, IpPermission permission, string accountId)
    {
        ArgumentNullException.ThrowIfNull(permission);
        var rules = new List<SecurityGroupRule>();
        AddRules(rules, direction, permission, accountId);
        return rules;
    }

    private static void AddRules(List<SecurityGroupRule> rules, RuleDirection direction, IpPermission permission, string accountId)
    {
        var protocol = NormalizeProtocol(permission.IpProtocol);
        var (from, to) = NormalizePorts(protocol, permission.FromPort, permission.ToPort);
        // Indexed loops: foreach over an IReadOnlyList boxes its enumerator, once per list of every permission.
        var ipv4 = permission.Ipv4Ranges;
        for (var i = 0; i < ipv4.Count; i++)
        {
            rules.Add(new SecurityGroupRule(direction, protocol, from, to, ipv4[i].Value, ipv4[i].Description));
        }

        var ipv6 = permission.Ipv6Ranges;
        for (var i = 0; i < ipv6.Count; i++)
        {
            rules.Add(new SecurityGroupRule(direction, protocol, from, to, ipv6[i].Value.ToLowerInvariant(), ipv6[i].Description));
        }

        var prefixLists = permission.PrefixListIds;
        for (var i = 0; i < prefixLists.Count; i++)
        {
            rules.Add(new SecurityGroupRule(direction, protocol, from, to, prefixLists[i].Value, prefixLists[i].Description));
        }

        var pairs = permission.UserIdGroupPairs;
        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            var group = pair.GroupId ?? pair.GroupName!;
            var peer = pair.UserId is null || string.Equals(pair.UserId, accountId, StringComparison.Ordinal)
                ? group
                : pair.UserId + "/" + group;
            rules.Add(new SecurityGroupRule(direction, protocol, from, to, peer, pair.Description));
        }
    }

    /// <summary><c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>, <c>all</c>, or the IP protocol number.</summary>
    public static string NormalizeProtocol(string ipProtocol)
    {
        ArgumentNullException.ThrowIfNull(ipProtocol);
        var protocol = ipProtocol.Trim().ToLowerInvariant();
        return protocol switch
        {
            "-1" or "all" => "all",
            "6" or "tcp" => "tcp",
            "17" or "udp" => "udp",
            "1" or "icmp" => "icmp",
            "58" or "icmpv6" => "icmpv6",
            _ when int.TryParse(protocol, NumberStyles.None, CultureInfo.InvariantCulture, out var number) =>
                number.ToString(CultureInfo.InvariantCulture),
            _ => protocol,
        };
    }

    private static (int? From, int? To) NormalizePorts(string protocol, int? from, int? to) => protocol switch
    {
        // EC2 reports "all ports" for tcp/udp either as 0-65535 or with ports missing/-1.
        "tcp" or "udp" => (from is null or -1 ? 0 : from, to is null or -1 ? 65535 : to),

        // For ICMP the "ports" are type and code; -1 means any.
        "icmp" or "icmpv6" => (from ?? -1, to ?? -1),

        // All traffic, and protocols without ports (e.g. 50 = ESP), cover the whole protocol.
        _ => (null, null),
    };
}
