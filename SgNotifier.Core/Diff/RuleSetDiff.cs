namespace SgNotifier.Core.Diff;

/// <summary>
/// Multiset arithmetic on rules. A group may hold the same rule twice in Config's view (e.g. once from a legacy
/// and once from a newer shape), so counts matter, not just membership.
/// </summary>
public static class RuleSetDiff
{
    /// <summary>Up to this many updated values, <see cref="Reconstruct"/> scans; beyond it, it indexes the rules first.</summary>
    private const int LinearScanLimit = 16;

    /// <summary>Added = after − before; removed = before − after; an added and a removed rule with the same identity pair up as changed.</summary>
    public static RuleDiff Compare(IEnumerable<SecurityGroupRule> before, IEnumerable<SecurityGroupRule> after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);

        var remaining = Count(before);
        var added = new List<SecurityGroupRule>();
        foreach (var rule in after)
        {
            if (remaining.TryGetValue(rule, out var count) && count > 0)
            {
                remaining[rule] = count - 1;
            }
            else
            {
                added.Add(rule);
            }
        }

        var removed = Expand(remaining);
        added.Sort(SecurityGroupRuleComparer.Instance);
        removed.Sort(SecurityGroupRuleComparer.Instance);

        // Pair description changes: for each identity, the i-th added with the i-th removed (both sorted).
        var changed = new List<RuleDescriptionChange>();
        var unpairedAdded = new List<SecurityGroupRule>();
        var removedByIdentity = removed
            .GroupBy(static r => r with { Description = null })
            .ToDictionary(static g => g.Key, static g => new Queue<SecurityGroupRule>(g));
        foreach (var rule in added)
        {
            if (removedByIdentity.TryGetValue(rule with { Description = null }, out var candidates) && candidates.Count > 0)
            {
                changed.Add(new RuleDescriptionChange(candidates.Dequeue(), rule));
            }
            else
            {
                unpairedAdded.Add(rule);
            }
        }

        var unpairedRemoved = removedByIdentity.Values.SelectMany(static q => q).ToList();
        unpairedRemoved.Sort(SecurityGroupRuleComparer.Instance);
        return new RuleDiff(unpairedAdded, unpairedRemoved, changed);
    }

    /// <summary>before − removed − changed.Before + added + changed.After, sorted. Throws when the diff does not fit <paramref name="before"/>.</summary>
    public static IReadOnlyList<SecurityGroupRule> Apply(IEnumerable<SecurityGroupRule> before, RuleDiff diff)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(diff);
        var rules = Count(before);
        foreach (var rule in diff.Removed.Concat(diff.Changed.Select(static c => c.Before)))
        {
            if (!rules.TryGetValue(rule, out var count) || count == 0)
            {
                throw new InvalidOperationException("The diff removes a rule that is not there.");
            }

            rules[rule] = count - 1;
        }

        foreach (var rule in diff.Added.Concat(diff.Changed.Select(static c => c.After)))
        {
            rules[rule] = rules.GetValueOrDefault(rule) + 1;
        }

        var result = Expand(rules);
        result.Sort(SecurityGroupRuleComparer.Instance);
        return result;
    }

    /// <summary>
    /// The rules before a change, from the rules after it and the diff's values: (after − updated) + previous.
    /// An updated rule missing from <paramref name="after"/> with no description (the legacy <c>ipRanges</c> shape)
    /// removes the same rule written with a description, so a diff in the old shape still fits an item in the new one.
    /// </summary>
    public static IReadOnlyList<SecurityGroupRule> Reconstruct(
        IEnumerable<SecurityGroupRule> after,
        IEnumerable<SecurityGroupRule> updatedValues,
        IEnumerable<SecurityGroupRule> previousValues)
    {
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(updatedValues);
        ArgumentNullException.ThrowIfNull(previousValues);

        var rules = after.ToList();
        rules.Sort(SecurityGroupRuleComparer.Instance);
        var updates = updatedValues as IReadOnlyCollection<SecurityGroupRule> ?? updatedValues.ToList();
        if (updates.Count > LinearScanLimit)
        {
            rules = RemoveIndexed(rules, updates);
        }
        else
        {
            foreach (var updated in updates)
            {
                var index = rules.IndexOf(updated);
                if (index < 0 && updated.Description is null)
                {
                    index = rules.FindIndex(r => SecurityGroupRuleComparer.CompareIdentity(r, updated) == 0);
                }

                if (index >= 0)
                {
                    rules.RemoveAt(index);
                }
            }
        }

        rules.AddRange(previousValues);
        rules.Sort(SecurityGroupRuleComparer.Instance);
        return rules;
    }

    /// <summary>
    /// The removal of <see cref="Reconstruct"/> for many updated values: each takes the first remaining rule equal to it
    /// (or, without a description, of the same identity) in sorted order, as the scan does, but found through an index.
    /// A scan per value was quadratic: a diff and an item with thousands of rules each ran for seconds (issue 12).
    /// </summary>
    private static List<SecurityGroupRule> RemoveIndexed(List<SecurityGroupRule> sorted, IEnumerable<SecurityGroupRule> updates)
    {
        var byRule = new Dictionary<SecurityGroupRule, Queue<int>>();
        var byIdentity = new Dictionary<SecurityGroupRule, Queue<int>>();
        for (var i = 0; i < sorted.Count; i++)
        {
            Positions(byRule, sorted[i]).Enqueue(i);
            Positions(byIdentity, sorted[i] with { Description = null }).Enqueue(i);
        }

        var removed = new bool[sorted.Count];
        foreach (var updated in updates)
        {
            var index = NextRemaining(byRule, updated, removed);
            if (index < 0 && updated.Description is null)
            {
                index = NextRemaining(byIdentity, updated, removed);
            }

            if (index >= 0)
            {
                removed[index] = true;
            }
        }

        var kept = new List<SecurityGroupRule>(sorted.Count);
        for (var i = 0; i < sorted.Count; i++)
        {
            if (!removed[i])
            {
                kept.Add(sorted[i]);
            }
        }

        return kept;
    }

    private static Queue<int> Positions(Dictionary<SecurityGroupRule, Queue<int>> index, SecurityGroupRule key)
    {
        if (!index.TryGetValue(key, out var positions))
        {
            index[key] = positions = new Queue<int>(1);
        }

        return positions;
    }

    /// <summary>The first position under <paramref name="key"/> not removed yet (taken off the queue), or -1.</summary>
    private static int NextRemaining(Dictionary<SecurityGroupRule, Queue<int>> index, SecurityGroupRule key, bool[] removed)
    {
        if (index.TryGetValue(key, out var positions))
        {
            while (positions.TryDequeue(out var position))
            {
                if (!removed[position])
                {
                    return position;
                }
            }
        }

        return -1;
    }

    /// <summary>Each rule as many times as counted (one loop: no iterator per rule).</summary>
    private static List<SecurityGroupRule> Expand(Dictionary<SecurityGroupRule, int> counts)
    {
        var rules = new List<SecurityGroupRule>();
        foreach (var (rule, count) in counts)
        {
            for (var i = 0; i < count; i++)
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    private static Dictionary<SecurityGroupRule, int> Count(IEnumerable<SecurityGroupRule> rules)
    {
        var counts = new Dictionary<SecurityGroupRule, int>();
        foreach (var rule in rules)
        {
            counts[rule] = counts.GetValueOrDefault(rule) + 1;
        }

        return counts;
    }
}
