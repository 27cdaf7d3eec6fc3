using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Changes;

/// <summary>A rule changed in place: same identity and a new description (Config), or a modified rule (CloudTrail).</summary>
/// <param name="Before">The previous value; null when no source knows it (shown as unknown, never guessed).</param>
/// <param name="RuleId">The <c>sgr-…</c> id when the source told it.</param>
public sealed record RuleModification(SecurityGroupRule? Before, SecurityGroupRule After, string? RuleId = null);
