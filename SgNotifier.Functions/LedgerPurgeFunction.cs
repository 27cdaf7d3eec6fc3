using Microsoft.Azure.Functions.Worker;
using SgNotifier.Core.Ledger;

namespace SgNotifier.Functions;

/// <summary>Deletes ledger entries older than <c>Ledger:RetentionDays</c>, daily at 03:30 UTC.</summary>
public sealed class LedgerPurgeFunction(LedgerPurger purger)
{
    [Function("ledger-purge")]
    public async Task RunAsync([TimerTrigger("0 30 3 * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        await purger.PurgeExpiredAsync(cancellationToken);
    }
}
