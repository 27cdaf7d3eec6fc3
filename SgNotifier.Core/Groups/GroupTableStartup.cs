using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Groups;

/// <summary>
/// Creates the group directory's table when the host starts, as <c>LedgerTableStartup</c> does the ledger's: storage
/// that is briefly down is logged and the first directory call tries again. With Config alone (the default) nothing
/// uses the directory, so no table is created.
/// </summary>
internal sealed class GroupTableStartup(IGroupDirectory directory, IOptions<NotifyOptions> notify) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (directory is TableGroupDirectory table && notify.Value.EffectiveSources.Contains(ChangeSource.CloudTrail))
        {
            await table.TryCreateTableAsync(cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
