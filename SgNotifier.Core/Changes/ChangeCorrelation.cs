using SgNotifier.Core.Ledger;

namespace SgNotifier.Core.Changes;

/// <summary>
/// Matches a change against the reports already mailed for its atoms (<see cref="ChangeAtoms"/>,
/// <see cref="IChangeCoverage"/>): the cross-source half of exactly once (docs/design-cloudtrail-source.md §4).
/// </summary>
/// <remarks>
/// An atom is covered only by a report of the <em>other</em> source: repeats from the same source are the change key's
/// job, and two CloudTrail calls that happen to add the same rule twice are two changes. The window is one relation
/// read both ways: a Config item captured at T and a CloudTrail call at E belong together when
/// E ∈ [T − <c>before</c>, T + <c>after</c>], because Config captures the state some minutes after the call.
/// </remarks>
public static class ChangeCorrelation
{
    /// <param name="reports">The reports found per atom; null when storage could not be read (then nothing is covered).</param>
    /// <param name="before">How long a CloudTrail call may precede the Config capture (default 15 min).</param>
    /// <param name="after">How long a CloudTrail call may follow the Config capture (default 2 min; clocks and ordering differ).</param>
    public static ChangeCorrelationResult Correlate(
        SecurityGroupChange change,
        IReadOnlyList<string> atoms,
        IReadOnlyDictionary<string, IReadOnlyList<AtomReport>>? reports,
        TimeSpan before,
        TimeSpan after)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(atoms);
        ArgumentOutOfRangeException.ThrowIfLessThan(before, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(after, TimeSpan.Zero);

        var distinct = atoms.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var coveredBy = new Dictionary<string, AtomReport>(StringComparer.Ordinal);
        var uncovered = new List<string>();
        foreach (var atom in distinct)
        {
            if (change.Time is { } time && reports is not null && reports.TryGetValue(atom, out var found) &&
                Nearest(change.Source, time, found, before, after) is { } report)
            {
                coveredBy[atom] = report;
            }
            else
            {
                uncovered.Add(atom);
            }
        }

        var covering = coveredBy.Values
            .DistinctBy(static r => (r.Source, r.Time, string.Join('\n', r.EventIds)))
            .OrderBy(static r => r.Time)
            .ThenBy(static r => string.Join('\n', r.EventIds), StringComparer.Ordinal)
            .ToList();
        return new ChangeCorrelationResult(distinct.Count > 0 && uncovered.Count == 0, uncovered, coveredBy, covering);
    }

    /// <summary>Whether a report at <paramref name="reported"/> by the other source belongs to a change at <paramref name="time"/>.</summary>
    public static bool InWindow(ChangeSource changeSource, DateTimeOffset time, ChangeSource reportSource, DateTimeOffset reported, TimeSpan before, TimeSpan after)
    {
        if (changeSource == reportSource)
        {
            return false;
        }

        var (capture, call) = changeSource == ChangeSource.Config ? (time, reported) : (reported, time);
        return call >= capture - before && call <= capture + after;
    }

    private static AtomReport? Nearest(ChangeSource source, DateTimeOffset time, IReadOnlyList<AtomReport> found, TimeSpan before, TimeSpan after)
    {
        AtomReport? nearest = null;
        foreach (var report in found)
        {
            if (report is not null && InWindow(source, time, report.Source, report.Time, before, after) &&
                (nearest is null || (report.Time - time).Duration() < (nearest.Time - time).Duration()))
            {
                nearest = report;
            }
        }

        return nearest;
    }
}
