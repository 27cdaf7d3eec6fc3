namespace SgNotifier.Core.Diff;

/// <summary>A rule changed in place: its description (Config), or any field (a CloudTrail <c>ModifySecurityGroupRules</c>).</summary>
/// <param name="Before">The previous value; null when no source knows it (the mail says "unknown", never a guess).</param>
/// <param name="RuleId">The <c>sgr-…</c> id when the source told it.</param>
public sealed record ChangedRule(AssessedRule? Before, AssessedRule After, string? RuleId = null);
