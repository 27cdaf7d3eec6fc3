namespace SgNotifier.Core.Diff;

/// <param name="Risky">Ingress from the whole internet to all traffic or to a configured risky port.</param>
/// <param name="Public">Peer is <c>0.0.0.0/0</c> or <c>::/0</c>.</param>
public sealed record AssessedRule(SecurityGroupRule Rule, bool Risky, bool Public);
