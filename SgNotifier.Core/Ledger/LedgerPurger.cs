using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Ledger;

/// <summary>Deletes ledger entries older than <c>Ledger:RetentionDays</c>; called by a daily timer function.</summary>
public sealed class LedgerPurger(INotificationLedger ledger, IOptions<LedgerOptions> options, TimeProvider timeProvider, ILogger<LedgerPurger> logger)
{
    /// <summary>Returns how many entries were deleted. Storage failures throw, so the timer run shows as failed; the next run catches up.</summary>
    public async Task<int> PurgeExpiredAsync(CancellationToken cancellationToken)
    {
        var olderThan = timeProvider.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        var purged = await ledger.PurgeAsync(olderThan, cancellationToken);
        logger.Purged(purged, olderThan);
        return purged;
    }
}
