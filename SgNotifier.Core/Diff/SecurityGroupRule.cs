namespace SgNotifier.Core.Diff;

/// <summary>
/// One atomic security-group rule: one direction, one protocol and port range, one peer.
/// AWS Config reports permissions that bundle several peers; they are flattened into these.
/// </summary>
/// <param name="Protocol">Normalised: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>, <c>all</c>, or the IP protocol number.</param>
/// <param name="FromPort">Null when the protocol has no ports (all traffic); ICMP type for icmp/icmpv6.</param>
/// <param name="ToPort">Null when the protocol has no ports (all traffic); ICMP code for icmp/icmpv6.</param>
/// <param name="Peer">IPv4 CIDR, IPv6 CIDR, prefix-list id (<c>pl-…</c>), or a referenced group (<c>sg-…</c> or <c>account/sg-…</c>).</param>
public sealed record SecurityGroupRule(
    RuleDirection Direction,
    string Protocol,
    int? FromPort,
    int? ToPort,
    string Peer,
    string? Description);
