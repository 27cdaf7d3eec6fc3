using SgNotifier.Core.Ledger;

namespace SgNotifier.Core.Changes;

/// <summary>How far the other source's mails already covered a change (<see cref="ChangeCorrelation"/>).</summary>
/// <param name="AllCovered">
/// True only when the change has atoms and every one was reported by the other source inside the window: the change is
/// then ignored as <c>already-notified</c>.
/// </param>
/// <param name="Uncovered">The atoms no mail of the other source covered (all of them when the change has no time), sorted.</param>
/// <param name="CoveredBy">For each covered atom, the report that covers it (the one nearest in time to the change).</param>
/// <param name="Covering">The distinct reports in <see cref="CoveredBy"/>, oldest first: for the mail and the log.</param>
public sealed record ChangeCorrelationResult(
    bool AllCovered,
    IReadOnlyList<string> Uncovered,
    IReadOnlyDictionary<string, AtomReport> CoveredBy,
    IReadOnlyList<AtomReport> Covering);
