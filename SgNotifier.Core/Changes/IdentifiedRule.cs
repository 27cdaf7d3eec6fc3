using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Changes;

/// <summary>
/// A rule and, beside it, its <c>sgr-…</c> id when the event told it. The id stays out of <see cref="Rule"/>'s
/// equality: Config items carry no rule ids, and the same rule must compare equal from both sources.
/// </summary>
public sealed record IdentifiedRule(SecurityGroupRule Rule, string? RuleId);
