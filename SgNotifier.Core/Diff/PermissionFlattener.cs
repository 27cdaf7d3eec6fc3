using System.Globalization;
using SgNotifier.Core.Sources.Config;

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
            rules.Add(new SecurityGroupRule(direction, protocol, from, to, Ipv6Peer(ipv6[i].Value), ipv6[i].Description));
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
            rules.Add(new SecurityGroupRule(direction, protocol, from, to, GroupPeer(pair.GroupId ?? pair.GroupName!, pair.UserId, accountId), pair.Description));
        }
    }

    /// <summary>
    /// One rule with exactly one peer, as EC2's <c>SecurityGroupRule</c> (DescribeSecurityGroupRules, CloudTrail
    /// responses) writes it, normalised exactly as <see cref="Flatten(RuleDirection, IpPermission, string)"/> normalises
    /// Config's permissions: the same rule compares equal whichever source read it.
    /// </summary>
    /// <param name="peer">
    /// The CIDR or prefix-list id as sent (IPv6 CIDRs, the only peers with a colon, are lower-cased here); for a
    /// referenced group, the result of <see cref="GroupPeer"/>.
    /// </param>
    /// <param name="description">Null when absent or empty, as Config's parser reads it.</param>
    public static SecurityGroupRule Rule(RuleDirection direction, string ipProtocol, int? fromPort, int? toPort, string peer, string? description)
    {
        ArgumentNullException.ThrowIfNull(peer);
        var protocol = NormalizeProtocol(ipProtocol);
        var (from, to) = NormalizePorts(protocol, fromPort, toPort);
        peer = peer.Trim();
        return new SecurityGroupRule(
            direction, protocol, from, to, peer.Contains(':', StringComparison.Ordinal) ? Ipv6Peer(peer) : peer, string.IsNullOrEmpty(description) ? null : description);
    }

    /// <summary>A referenced group as a peer: <c>sg-…</c> in <paramref name="accountId"/>, else <c>account/sg-…</c>.</summary>
    public static string GroupPeer(string groupId, string? userId, string accountId)
    {
        ArgumentNullException.ThrowIfNull(groupId);
        return userId is null || string.Equals(userId, accountId, StringComparison.Ordinal) ? groupId : userId + "/" + groupId;
    }

    /// <summary>IPv6 CIDRs compare in lower case (EC2 echoes what the caller wrote).</summary>
    public static string Ipv6Peer(string cidr)
    {
        ArgumentNullException.ThrowIfNull(cidr);
        return cidr.ToLowerInvariant();
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
