namespace SgNotifier.Core.Diff;

/// <summary>The difference between two rule multisets, each list sorted by <see cref="SecurityGroupRuleComparer"/>.</summary>
public sealed record RuleDiff(
    IReadOnlyList<SecurityGroupRule> Added,
    IReadOnlyList<SecurityGroupRule> Removed,
    IReadOnlyList<RuleDescriptionChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;
}
