using Microsoft.Extensions.Hosting;

namespace SgNotifier.Core.Groups;

/// <summary>
/// Creates the group directory's table when the host starts, as <c>LedgerTableStartup</c> does the ledger's: storage
/// that is briefly down is logged and the first directory call tries again.
/// </summary>
internal sealed class GroupTableStartup(IGroupDirectory directory) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (directory is TableGroupDirectory table)
        {
            await table.TryCreateTableAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
