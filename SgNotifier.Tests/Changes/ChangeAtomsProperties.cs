using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Tests.Diff;
using static SgNotifier.Tests.Changes.HandBuiltChanges;

namespace SgNotifier.Tests.Changes;

[Properties(Arbitrary = [typeof(RuleGenerators), typeof(ChangeAtomsProperties)], MaxTest = 300)]
public class ChangeAtomsProperties
{
    /// <summary>Tag keys and values from an alphabet of the separators' own characters, so forgeries are tried often.</summary>
    public static Arbitrary<string> Text() =>
        Gen.Elements("", " ", ":", "1", "1:", " 1:", "a", "a 1:b", "tag").ListOf().Select(static parts => string.Concat(parts)).ToArbitrary();

    /// <summary>
    /// Config reports a rule change as one item's diff; CloudTrail as one call per rule: a revoke without description,
    /// an authorize, a description update. Whatever the change, the item's atoms are exactly the calls' atoms.
    /// </summary>
    [Property]
    public bool ConfigItemsDiff_HasTheSameAtomsAsTheCallsThatMadeIt(SecurityGroupRule[] before, SecurityGroupRule[] after)
    {
        var diff = RuleSetDiff.Compare(before, after);
        var item = FromConfig(ChangeKind.Updated, Rules(diff.Added, diff.Removed, diff.Changed.Select(static c => new RuleModification(c.Before, c.After))));
        var calls = diff.Removed.Select(static r => Rules(removed: [r with { Description = null }]))
            .Concat(diff.Added.Select(static r => Rules(added: [r], withRuleIds: true)))
            .Concat(diff.Changed.Select(static c => Rules(changed: [new RuleModification(c.Before with { Description = null }, c.After, "sgr-0123456789abcdef0")])))
            .SelectMany(static rules => ChangeAtoms.Of(FromCloudTrail(ChangeKind.Updated, rules)));

        return ChangeAtoms.Of(item).SequenceEqual(calls.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
    }

    [Property]
    public bool TwoTags_HaveTheSameAtomOnlyWhenKeyAndValueAreEqual(string key1, string value1, string key2, string value2)
    {
        var first = ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(), new TagState(Tags(), Tags((key1, value1)))));
        var second = ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(), new TagState(Tags(), Tags((key2, value2)))));

        return first.SequenceEqual(second) == (key1 == key2 && value1 == value2);
    }
}
