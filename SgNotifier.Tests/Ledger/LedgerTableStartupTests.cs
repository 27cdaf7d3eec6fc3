using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SgNotifier.Core;
using SgNotifier.Core.Ledger;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Ledger;

public sealed class LedgerTableStartupTests
{
    [Fact]
    public async Task HostStart_CreatesTheLedgerTable()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = "Ledger" + Guid.NewGuid().ToString("N");
        using var host = Build(new() { ["Ledger:ConnectionString"] = connectionString, ["Ledger:TableName"] = tableName });

        await StartLedgerAsync(host);

        var tables = new TableServiceClient(connectionString).Query(filter: $"TableName eq '{tableName}'");
        Assert.Single(tables);
    }

    [Fact]
    public async Task HostStart_WithStorageDown_DoesNotFailAndTheLedgerRecoversLater()
    {
        await using var azurite = await EmulatorProcess.StartAzuriteTableAsync();
        using var host = Build(new() { ["AzureWebJobsStorage"] = azurite.TableConnectionString });
        await azurite.StopAsync();

        await StartLedgerAsync(host);
        var ledger = host.Services.GetRequiredService<INotificationLedger>();
        Assert.Equal(LedgerClaimStatus.Unavailable, (await ledger.ClaimAsync("message-1", null, CancellationToken.None)).Status);

        await azurite.RestartAsync();
        Assert.Equal(LedgerClaimStatus.Claimed, (await ledger.ClaimAsync("message-1", null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task HostStart_WithTheMemoryLedger_TouchesNoStorage()
    {
        using var host = Build([]);

        await StartLedgerAsync(host);

        Assert.IsType<MemoryNotificationLedger>(host.Services.GetRequiredService<INotificationLedger>());
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddSgNotifier(builder.Configuration, builder.Environment.EnvironmentName);
        return builder.Build();
    }

    /// <summary>Runs the ledger's start-up only, so other stages' settings (absent here) do not matter.</summary>
    private static Task StartLedgerAsync(IHost host) =>
        host.Services.GetServices<IHostedService>().OfType<LedgerTableStartup>().Single().StartAsync(CancellationToken.None);
}
