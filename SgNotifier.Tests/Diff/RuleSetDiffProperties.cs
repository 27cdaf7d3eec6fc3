using FsCheck.Xunit;
using SgNotifier.Core.Diff;

namespace SgNotifier.Tests.Diff;

[Properties(Arbitrary = [typeof(RuleGenerators)], MaxTest = 300)]
public class RuleSetDiffProperties
{
    [Property]
    public bool ApplyingTheDiffOfAToB_YieldsB(SecurityGroupRule[] a, SecurityGroupRule[] b) =>
        RuleSetDiff.Apply(a, RuleSetDiff.Compare(a, b)).SequenceEqual(Sorted(b));

    [Property]
    public bool DiffOfASetWithItself_IsEmpty(SecurityGroupRule[] a) => RuleSetDiff.Compare(a, a).IsEmpty;

    [Property]
    public bool PermutingEitherSide_NeverChangesTheDiff(SecurityGroupRule[] a, SecurityGroupRule[] b, int seed)
    {
        var expected = RuleSetDiff.Compare(a, b);
        var actual = RuleSetDiff.Compare(Shuffled(a, seed), Shuffled(b, seed + 1));
        return expected.Added.SequenceEqual(actual.Added) && expected.Removed.SequenceEqual(actual.Removed) && expected.Changed.SequenceEqual(actual.Changed);
    }

    [Property]
    public bool ChangedRules_KeepTheirIdentityAndChangeTheirDescription(SecurityGroupRule[] a, SecurityGroupRule[] b) =>
        RuleSetDiff.Compare(a, b).Changed.All(c =>
            SecurityGroupRuleComparer.CompareIdentity(c.Before, c.After) == 0 && c.Before.Description != c.After.Description);

    [Property]
    public bool AddedAndRemoved_NeverShareAnIdentity(SecurityGroupRule[] a, SecurityGroupRule[] b)
    {
        var diff = RuleSetDiff.Compare(a, b);
        return !diff.Added.Any(x => diff.Removed.Any(y => SecurityGroupRuleComparer.CompareIdentity(x, y) == 0));
    }

    /// <summary>Config gives the rules after a change and the diff's values; before = (after − updated) + previous must give A back.</summary>
    [Property]
    public bool ReconstructingFromTheDiffValues_YieldsTheRulesBefore(SecurityGroupRule[] a, SecurityGroupRule[] b, int seed)
    {
        var diff = RuleSetDiff.Compare(a, b);
        var updated = diff.Added.Concat(diff.Changed.Select(c => c.After)).ToArray();
        var previous = diff.Removed.Concat(diff.Changed.Select(c => c.Before)).ToArray();
        var before = RuleSetDiff.Reconstruct(Shuffled(b, seed), Shuffled(updated, seed + 1), Shuffled(previous, seed + 2));
        return before.SequenceEqual(Sorted(a));
    }

    private static List<SecurityGroupRule> Sorted(IEnumerable<SecurityGroupRule> rules)
    {
        var list = rules.ToList();
        list.Sort(SecurityGroupRuleComparer.Instance);
        return list;
    }

    private static SecurityGroupRule[] Shuffled(SecurityGroupRule[] rules, int seed)
    {
        var copy = rules.ToArray();
        new Random(seed).Shuffle(copy);
        return copy;
    }
}
