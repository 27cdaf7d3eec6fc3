using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core.Diff;

public static class TagSetDiff
{
    /// <summary>Added, removed and changed keys, sorted by key (ordinal: tag keys are case-sensitive in AWS).</summary>
    public static IReadOnlyList<TagChange> Compare(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<TagChange>();
        foreach (var key in before.Keys.Union(after.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var hadBefore = before.TryGetValue(key, out var oldValue);
            var hasAfter = after.TryGetValue(key, out var newValue);
            if (!hadBefore || !hasAfter || !string.Equals(oldValue, newValue, StringComparison.Ordinal))
            {
                changes.Add(new TagChange(key, hadBefore ? oldValue : null, hasAfter ? newValue : null));
            }
        }

        return changes;
    }

    /// <summary>
    /// The tags before a change: the current tags with each tag key of the diff undone. As with rules, positions in
    /// <c>Configuration.Tags.N</c> mean nothing, so all updated pairs are taken out before any previous pair is put back.
    /// </summary>
    public static Dictionary<string, string> Undo(IReadOnlyDictionary<string, string> current, IEnumerable<TagPropertyChange> changes)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(changes);
        var tags = new Dictionary<string, string>(current, StringComparer.Ordinal);
        var list = changes.ToList();
        foreach (var (key, value) in list.SelectMany(static c => c.UpdatedValue))
        {
            if (tags.TryGetValue(key, out var now) && string.Equals(now, value, StringComparison.Ordinal))
            {
                tags.Remove(key);
            }
        }

        foreach (var (key, value) in list.SelectMany(static c => c.PreviousValue))
        {
            tags[key] = value;
        }

        return tags;
    }
}
