using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;

namespace SgNotifier.Benchmarks.Composition;

/// <summary>
/// The real in-memory ledger, except that "sent" is recorded as a release: the benchmark mails the same change over
/// and over, and a true ledger would answer <c>duplicate</c> from the second time on. Claim and release cost what
/// claim and mark-sent cost (one locked dictionary write each), so the measured path keeps the ledger's work.
/// </summary>
internal sealed class ReclaimableLedger(MemoryNotificationLedger inner) : INotificationLedger
{
    public Task<LedgerClaim> ClaimAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken) =>
        inner.ClaimAsync(messageId, changeKey, cancellationToken);

    public Task<LedgerClaim?> PeekFinalAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken) =>
        inner.PeekFinalAsync(messageId, changeKey, cancellationToken);

    public Task<LedgerWriteResult> MarkSentAsync(LedgerLease lease, string providerMessageId, CancellationToken cancellationToken) =>
        inner.ReleaseAsync(lease, cancellationToken);

    public Task<LedgerWriteResult> MarkRejectedAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken) =>
        inner.MarkRejectedAsync(lease, errorCode, cancellationToken);

    public Task<LedgerWriteResult> ReleaseAsync(LedgerLease lease, CancellationToken cancellationToken) =>
        inner.ReleaseAsync(lease, cancellationToken);

    public Task<LedgerWriteResult> ReleaseForRepeatAsync(LedgerLease lease, UncertainSend repeat, CancellationToken cancellationToken) =>
        inner.ReleaseForRepeatAsync(lease, repeat, cancellationToken);

    public Task<LedgerWriteResult> MarkUncertainAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken) =>
        inner.MarkUncertainAsync(lease, errorCode, cancellationToken);

    public Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) =>
        inner.PurgeAsync(olderThan, cancellationToken);
}
