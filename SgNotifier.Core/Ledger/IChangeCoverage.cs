using SgNotifier.Core.Changes;

namespace SgNotifier.Core.Ledger;

/// <summary>One source's report of an atom (see <c>ChangeAtoms</c>): who mailed it, for which event, when it happened.</summary>
public sealed record AtomReport(ChangeSource Source, DateTimeOffset Time, IReadOnlyList<string> EventIds);

/// <summary>
/// Which atoms of a change (<c>ChangeAtoms</c>) were already mailed, and by which source: the cross-source
/// half of exactly once (issue 17). Stored beside the ledger's rows and purged with them.
/// </summary>
public interface IChangeCoverage
{
    /// <summary>
    /// The recorded reports of each atom (newest first, at most a few per atom); atoms never reported are absent.
    /// Null when storage could not be read: the caller then mails (a possible duplicate beats a miss).
    /// </summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<AtomReport>>?> FindAsync(IReadOnlyCollection<string> atoms, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="report"/> to each atom's reports. Failures are logged, not thrown: the mail is already out.</summary>
    Task RecordAsync(IReadOnlyCollection<string> atoms, AtomReport report, CancellationToken cancellationToken);
}
