using SgNotifier.Core.Diff;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Tests.Diff;

public class TagSetDiffTests
{
    [Fact]
    public void AddedRemovedAndChangedKeys_AreReportedSortedByKey()
    {
        var changes = TagSetDiff.Compare(
            new Dictionary<string, string> { ["b"] = "1", ["c"] = "same", ["a"] = "old" },
            new Dictionary<string, string> { ["c"] = "same", ["a"] = "new", ["d"] = "4" });

        Assert.Equal([new TagChange("a", "old", "new"), new TagChange("b", "1", null), new TagChange("d", null, "4")], changes);
    }

    [Fact]
    public void TagKeys_AreCaseSensitive()
    {
        var changes = TagSetDiff.Compare(new Dictionary<string, string> { ["Owner"] = "x" }, new Dictionary<string, string> { ["owner"] = "x" });

        Assert.Equal(2, changes.Count);
    }

    [Fact]
    public void Undo_TakesAllUpdatedPairsOutBeforePuttingPreviousPairsBack()
    {
        // Positional keys pair unrelated tags: index 0 reports OwnerDL's old value and Team's new one.
        var current = new Dictionary<string, string> { ["OwnerDL"] = "new@example.com", ["Team"] = "blue" };
        var changes = new[]
        {
            new TagPropertyChange("Configuration.Tags.0", new Dictionary<string, string> { ["OwnerDL"] = "old@example.com" }, new Dictionary<string, string> { ["Team"] = "blue" }),
            new TagPropertyChange("Configuration.Tags.1", new Dictionary<string, string>(), new Dictionary<string, string> { ["OwnerDL"] = "new@example.com" }),
        };

        var previous = TagSetDiff.Undo(current, changes);

        Assert.Equal(new Dictionary<string, string> { ["OwnerDL"] = "old@example.com" }, previous);
    }
}
