namespace SgNotifier.Core.Diff;

/// <param name="Risky">Ingress from the whole internet to all traffic or to a configured risky port.</param>
/// <param name="Public">Peer is <c>0.0.0.0/0</c> or <c>::/0</c>.</param>
public sealed record AssessedRule(SecurityGroupRule Rule, bool Risky, bool Public)
{
    /// <summary>The rule's <c>sgr-…</c> id when its source told it (CloudTrail, EC2); never part of equality with Config's rules.</summary>
    public string? RuleId { get; init; }
}
