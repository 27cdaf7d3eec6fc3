namespace SgNotifier.Core.Changes;

/// <summary>What a change did to a group's rules, as far as its source could tell (<see cref="Completeness"/>).</summary>
/// <param name="Current">The group's rules after the change, when the source gives them (Config items, EC2 reads); empty otherwise.</param>
/// <param name="UnknownRuleIds">Rules the change touched by id whose values no source knows: shown as "rule sgr-… (details unknown)".</param>
public sealed record RuleChanges(
    IReadOnlyList<IdentifiedRule> Added,
    IReadOnlyList<IdentifiedRule> Removed,
    IReadOnlyList<RuleModification> Changed,
    RuleCompleteness Completeness,
    IReadOnlyList<IdentifiedRule> Current,
    IReadOnlyList<string> UnknownRuleIds)
{
    public static readonly RuleChanges None = new([], [], [], RuleCompleteness.Known, [], []);

    public static readonly RuleChanges Unknown = new([], [], [], RuleCompleteness.Unknown, [], []);

    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0 && UnknownRuleIds.Count == 0;
}
