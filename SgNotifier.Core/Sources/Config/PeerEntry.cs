namespace SgNotifier.Core.Sources.Config;

/// <summary>A CIDR (IPv4 or IPv6) or a prefix-list id, with the rule description attached to it.</summary>
public sealed record PeerEntry(string Value, string? Description);
