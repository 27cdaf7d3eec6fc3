namespace SgNotifier.Core.Sources.Config;

/// <summary>One permission as Config reports it: one protocol and port range, several peers.</summary>
/// <param name="IpProtocol">As sent: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>, <c>-1</c>, or a number.</param>
/// <param name="Ipv4Ranges">The union of <c>ipv4Ranges</c> and the legacy <c>ipRanges</c> strings, one entry per CIDR.</param>
public sealed record IpPermission(
    string IpProtocol,
    int? FromPort,
    int? ToPort,
    IReadOnlyList<PeerEntry> Ipv4Ranges,
    IReadOnlyList<PeerEntry> Ipv6Ranges,
    IReadOnlyList<PeerEntry> PrefixListIds,
    IReadOnlyList<UserIdGroupPair> UserIdGroupPairs);
