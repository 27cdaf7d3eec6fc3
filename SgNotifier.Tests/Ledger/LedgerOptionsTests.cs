using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SgNotifier.Core;
using SgNotifier.Core.Ledger;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Ledger;

/// <summary>The Ledger block of the real composition: defaults, fallbacks, and bad settings failing at start.</summary>
public sealed class LedgerOptionsTests
{
    [Fact]
    public void NothingConfigured_UsesTheMemoryLedgerWithDefaults()
    {
        using var host = Build([]);

        var options = host.Services.GetRequiredService<IOptions<LedgerOptions>>().Value;
        Assert.Equal(LedgerProvider.Memory, options.Provider);
        Assert.Equal("SgNotifierLedger", options.TableName);
        Assert.Equal(TimeSpan.FromMinutes(2), options.LeaseDuration);
        Assert.Equal(30, options.RetentionDays);
        Assert.IsType<MemoryNotificationLedger>(host.Services.GetRequiredService<INotificationLedger>());
    }

    [Fact]
    public async Task AzureWebJobsStorage_MakesTheTableLedgerTheDefault()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        using var host = Build(new() { ["AzureWebJobsStorage"] = connectionString, ["Ledger:TableName"] = NewTableName() });

        var options = host.Services.GetRequiredService<IOptions<LedgerOptions>>().Value;
        Assert.Equal(LedgerProvider.Table, options.Provider);
        Assert.Equal(connectionString, options.ConnectionString);
        Assert.IsType<TableNotificationLedger>(host.Services.GetRequiredService<INotificationLedger>());
    }

    [Fact]
    public void DevelopmentStorage_IsAValidConnection()
    {
        using var host = Build(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });

        Assert.Equal(LedgerProvider.Table, host.Services.GetRequiredService<IOptions<LedgerOptions>>().Value.Provider);
        Assert.IsType<TableNotificationLedger>(host.Services.GetRequiredService<INotificationLedger>());
    }

    [Fact]
    public void LedgerConnectionString_WinsOverAzureWebJobsStorage()
    {
        using var host = Build(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["Ledger:ConnectionString"] = "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.2" });

        Assert.Equal("UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.2", host.Services.GetRequiredService<IOptions<LedgerOptions>>().Value.ConnectionString);
    }

    [Fact]
    public void IdentityBasedAzureWebJobsStorage_GivesTheTableEndpoint()
    {
        using var host = Build(new() { ["AzureWebJobsStorage:tableServiceUri"] = "https://account.table.core.windows.net" });

        var options = host.Services.GetRequiredService<IOptions<LedgerOptions>>().Value;
        Assert.Equal(LedgerProvider.Table, options.Provider);
        Assert.Null(options.ConnectionString);
        Assert.Equal("https://account.table.core.windows.net", options.TableEndpoint);
    }

    [Fact]
    public void TableEndpoint_MakesTheTableLedgerTheDefault()
    {
        using var host = Build(new() { ["Ledger:TableEndpoint"] = "https://account.table.core.windows.net/", ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" });

        var options = host.Services.GetRequiredService<IOptions<LedgerOptions>>().Value;
        Assert.Equal(LedgerProvider.Table, options.Provider);
        Assert.Null(options.ConnectionString);
        Assert.IsType<TableNotificationLedger>(host.Services.GetRequiredService<INotificationLedger>());
    }

    [Fact]
    public void ExplicitMemoryProvider_WinsOverConfiguredStorage()
    {
        using var host = Build(new() { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true", ["Ledger:Provider"] = "Memory" });

        Assert.IsType<MemoryNotificationLedger>(host.Services.GetRequiredService<INotificationLedger>());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1Ledger")]
    [InlineData("Sg-Ledger")]
    [InlineData("tables")]
    [InlineData("")]
    public async Task InvalidTableName_FailsAtStart(string tableName)
    {
        var failure = await StartFailureAsync(new() { ["Ledger:TableName"] = tableName });

        Assert.Contains("Ledger:TableName", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableProviderWithoutAnyConnection_FailsAtStartNamingTheKeys()
    {
        var failure = await StartFailureAsync(new() { ["Ledger:Provider"] = "Table" });

        Assert.Contains("Ledger:ConnectionString", failure, StringComparison.Ordinal);
        Assert.Contains("AzureWebJobsStorage", failure, StringComparison.Ordinal);
        Assert.Contains("Ledger:TableEndpoint", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ledger:ConnectionString")]
    [InlineData("AzureWebJobsStorage")]
    public async Task MalformedConnectionString_FailsAtStartNamingTheKeyNotTheSecret(string setting)
    {
        var failure = await StartFailureAsync(new() { [setting] = "not a connection string secret=hunter2" });

        Assert.Contains("Ledger:ConnectionString (or AzureWebJobsStorage", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://account.table.core.windows.net")]
    [InlineData("account.table.core.windows.net")]
    public async Task TableEndpointNotHttps_FailsAtStart(string endpoint)
    {
        var failure = await StartFailureAsync(new() { ["Ledger:TableEndpoint"] = endpoint });

        Assert.Contains("Ledger:TableEndpoint", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionStringAndEndpointTogether_FailAtStart()
    {
        var failure = await StartFailureAsync(new()
        {
            ["Ledger:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Ledger:TableEndpoint"] = "https://account.table.core.windows.net",
        });

        Assert.Contains("not both", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Ledger:RetentionDays", "0")]
    [InlineData("Ledger:LeaseDuration", "00:00:01")]
    [InlineData("Ledger:LeaseDuration", "02:00:00")]
    public async Task OutOfRangeSetting_FailsAtStartNamingIt(string setting, string value)
    {
        var failure = await StartFailureAsync(new() { [setting] = value });

        Assert.Contains(setting, failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownProvider_FailsAtStart()
    {
        var failure = await StartFailureAsync(new() { ["Ledger:Provider"] = "Cosmos" });

        Assert.Contains("Ledger:Provider", failure, StringComparison.Ordinal);
    }

    private static string NewTableName() => "Ledger" + Guid.NewGuid().ToString("N");

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        builder.Services.AddSgNotifier(builder.Configuration, builder.Environment.EnvironmentName);
        return builder.Build();
    }

    /// <summary>Starts the host expecting it to fail; returns every message of the failure, inner ones included.</summary>
    private static async Task<string> StartFailureAsync(Dictionary<string, string?> settings)
    {
        using var host = Build(settings);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());
        var messages = new List<string>();
        for (Exception? e = failure; e is not null; e = e.InnerException)
        {
            messages.Add(e.Message);
            if (e is AggregateException aggregate)
            {
                messages.AddRange(aggregate.InnerExceptions.Select(static inner => inner.Message));
            }
        }

        return string.Join("\n", messages);
    }
}
