using Microsoft.Extensions.Hosting;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Creates the ledger table when the host starts. Storage that is briefly down must not keep the app from starting:
/// the failure is logged and the first ledger call tries again. (A malformed connection string fails earlier, in
/// options validation.)
/// </summary>
internal sealed class LedgerTableStartup(INotificationLedger ledger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (ledger is TableNotificationLedger table)
        {
            await table.TryCreateTableAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
