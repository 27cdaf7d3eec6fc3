using Azure.Data.Tables;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SgNotifier.Core;
using SgNotifier.Core.Groups;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Groups;

/// <summary><c>AddGroupDirectory</c> on the real composition: the provider follows the ledger's, the table is created at start, bad names stop it.</summary>
public sealed class GroupDirectoryCompositionTests
{
    [Fact]
    public void NothingConfigured_UsesTheMemoryDirectory()
    {
        using var host = Build([]);

        Assert.IsType<MemoryGroupDirectory>(host.Services.GetRequiredService<IGroupDirectory>());
    }

    [Fact]
    public async Task TableStorage_UsesTheTableDirectory_AndCreatesItsTableAtStart()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var groupTable = "Groups" + Guid.NewGuid().ToString("N");
        using var host = Build(new()
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Ledger:TableName"] = "Ledger" + Guid.NewGuid().ToString("N"),
            ["Ledger:GroupTableName"] = groupTable,
            ["Notify:Sources:0"] = "Config",
            ["Notify:Sources:1"] = "CloudTrail",
        });

        await host.StartAsync();

        var directory = Assert.IsType<TableGroupDirectory>(host.Services.GetRequiredService<IGroupDirectory>());
        Assert.Equal(groupTable, directory.TableName);
        Assert.Single(new TableServiceClient(connectionString).Query(t => t.Name == groupTable));
        await host.StopAsync();
    }

    [Fact]
    public async Task TableStorage_WithConfigAlone_CreatesNoDirectoryTable()
    {
        // Nothing reads or writes the directory without the CloudTrail source: no table, no request at start.
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var groupTable = "Groups" + Guid.NewGuid().ToString("N");
        using var host = Build(new()
        {
            ["AzureWebJobsStorage"] = connectionString,
            ["Ledger:TableName"] = "Ledger" + Guid.NewGuid().ToString("N"),
            ["Ledger:GroupTableName"] = groupTable,
        });

        await host.StartAsync();

        Assert.IsType<TableGroupDirectory>(host.Services.GetRequiredService<IGroupDirectory>());
        Assert.Empty(new TableServiceClient(connectionString).Query(t => t.Name == groupTable));
        await host.StopAsync();
    }

    [Fact]
    public async Task GroupTableNamedAsTheLedgersTable_FailsAtStart()
    {
        using var host = Build(new() { ["Ledger:TableName"] = "SgNotifierLedger", ["Ledger:GroupTableName"] = "SGNOTIFIERLEDGER" });

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.Contains("Ledger:GroupTableName must differ from Ledger:TableName", failure.ToString(), StringComparison.Ordinal);
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddSgNotifier(builder.Configuration, builder.Environment.EnvironmentName);
        builder.Services.AddGroupDirectory();
        return builder.Build();
    }
}
