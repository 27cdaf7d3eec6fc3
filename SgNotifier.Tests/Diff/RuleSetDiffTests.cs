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
}
