using SgNotifier.Core.Diff;

namespace SgNotifier.Tests.Diff;

public class RuleSetDiffTests
{
    private static readonly SecurityGroupRule Ssh = new(RuleDirection.Ingress, "tcp", 22, 22, "0.0.0.0/0", null);

    [Fact]
    public void DuplicateRule_IsCountedAsAMultiset()
    {
        var diff = RuleSetDiff.Compare([Ssh, Ssh], [Ssh]);

        Assert.Equal([Ssh], diff.Removed);
        Assert.Empty(diff.Added);
    }

    [Fact]
    public void SameIdentityNewDescription_IsChangedNotAddedAndRemoved()
    {
        var described = Ssh with { Description = "admins" };

        var diff = RuleSetDiff.Compare([Ssh], [described]);

        Assert.Empty(diff.Added);
        Assert.Empty(diff.Removed);
        Assert.Equal(new RuleDescriptionChange(Ssh, described), Assert.Single(diff.Changed));
    }

    [Fact]
    public void LegacyShapedUpdatedValue_RemovesTheDescribedRuleOfTheItem()
    {
        // The item carries ipv4Ranges with a description; a diff value in the legacy ipRanges shape has none.
        var described = Ssh with { Description = "admins" };

        var before = RuleSetDiff.Reconstruct([described], updatedValues: [Ssh], previousValues: []);

        Assert.Empty(before);
    }

    [Fact]
    public void UpdatedValueMissingFromItem_RemovesNothing()
    {
        var other = Ssh with { FromPort = 23, ToPort = 23, Description = "x" };

        var before = RuleSetDiff.Reconstruct([Ssh], updatedValues: [other], previousValues: []);

        Assert.Equal([Ssh], before);
    }

    [Fact]
    public void ApplyingADiffThatDoesNotFit_Throws() =>
        Assert.Throws<InvalidOperationException>(() => RuleSetDiff.Apply([], new RuleDiff([], [Ssh], [])));

    /// <summary>
    /// Issue 12: the scan per updated value was quadratic. Beyond 16 values an index takes over; it must remove exactly
    /// what the scan removes (the first equal rule, else for a value without description the first of its identity).
    /// </summary>
    [Fact]
    public void ReconstructWithManyUpdatedValues_RemovesWhatTheScanRemoves()
    {
        var random = new Random(12);
        for (var round = 0; round < 200; round++)
        {
            var after = Enumerable.Range(0, random.Next(0, 60)).Select(_ => RandomRule(random)).ToList();
            var updated = Enumerable.Range(0, random.Next(17, 80)).Select(_ => RandomRule(random)).ToList();
            var previous = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomRule(random)).ToList();

            Assert.Equal(ScanReconstruct(after, updated, previous), RuleSetDiff.Reconstruct(after, updated, previous));
        }
    }

    [Fact]
    public async Task ReconstructOfTensOfThousandsOfRules_IsNotQuadratic()
    {
        var rules = Enumerable.Range(0, 40_000).Select(i => Ssh with { Peer = $"10.{i / 256 % 256}.{i % 256}.0/24", FromPort = i % 7 }).ToList();

        // A bound against a hang, not a performance target: the scan took 800 million comparisons here.
        var before = await Task.Run(() => RuleSetDiff.Reconstruct(rules, rules, [])).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(before);
    }

    private static SecurityGroupRule RandomRule(Random random) => new(
        random.Next(2) == 0 ? RuleDirection.Ingress : RuleDirection.Egress,
        random.Next(2) == 0 ? "tcp" : "udp",
        random.Next(3),
        random.Next(3),
        random.Next(2) == 0 ? "0.0.0.0/0" : "10.0.0.0/8",
        random.Next(3) switch { 0 => null, 1 => "a", _ => "b" });

    /// <summary>The original scan, as the reference.</summary>
    private static List<SecurityGroupRule> ScanReconstruct(List<SecurityGroupRule> after, List<SecurityGroupRule> updated, List<SecurityGroupRule> previous)
    {
        var rules = after.ToList();
        rules.Sort(SecurityGroupRuleComparer.Instance);
        foreach (var value in updated)
        {
            var index = rules.IndexOf(value);
            if (index < 0 && value.Description is null)
            {
                index = rules.FindIndex(r => SecurityGroupRuleComparer.CompareIdentity(r, value) == 0);
            }

            if (index >= 0)
            {
                rules.RemoveAt(index);
            }
        }

        rules.AddRange(previous);
        rules.Sort(SecurityGroupRuleComparer.Instance);
        return rules;
    }
}
