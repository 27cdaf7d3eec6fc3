using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Ledger;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Groups;

/// <summary>The directory's semantics against the shared Azurite, plus what only a remote store has: size limits, faults.</summary>
public sealed class TableGroupDirectoryTests : GroupDirectoryTests
{
    // A directory call must leave the delivery most of the ~15 s SNS gives it.
    private static readonly TimeSpan UnavailableBudget = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task Entity_HasReadablePropertiesForPeople_AndAHashedKey()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var directory = Create(connectionString, tableName);
        var id = NewGroupId();

        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "owner@example.com")), ManyRules(1000), "ec2"), CancellationToken.None);

        var entity = Assert.Single(new TableClient(connectionString, tableName).Query<TableEntity>());
        Assert.Matches("^[0-9a-f]{64}$", entity.PartitionKey);
        Assert.Equal("group", entity.RowKey);
        Assert.Equal(Account, entity.GetString("AccountId"));
        Assert.Equal(Region, entity.GetString("Region"));
        Assert.Equal(id, entity.GetString("GroupId"));
        Assert.Equal("web-prod", entity.GetString("Name"));
        Assert.Equal("vpc-0f1e2d3c4b5a69788", entity.GetString("VpcId"));
        Assert.Equal("ec2", entity.GetString("Origin"));
        Assert.Equal(T0, entity.GetDateTimeOffset("ObservedAt"));
        Assert.False(entity.GetBoolean("Deleted"));
        Assert.Equal("{\"OwnerDL\":\"owner@example.com\"}", entity.GetString("Tags"));
        Assert.Equal(1000, entity.GetInt32("RuleCount"));
        Assert.InRange(entity.GetInt32("RulesParts")!.Value, 1, 2);
    }

    [Fact]
    public async Task RulesTooBigEvenCompressed_AreUnknown_AndTheTagsStillRemembered()
    {
        var logger = new FakeLogger<TableGroupDirectory>();
        var directory = Create(await SharedEmulators.TableConnectionStringAsync(), NewTableName(), logger);
        var id = NewGroupId();
        var random = new Random(17);

        // Incompressible descriptions: 2,000 × ~1,000 characters of noise cannot fit 12 × 64 KiB however compressed.
        var rules = Enumerable.Range(0, GroupDirectoryLimits.MaxRules).Select(i => new IdentifiedRule(
            new SecurityGroupRule(RuleDirection.Ingress, "tcp", i, i, "10.0.0.0/8", new string(Enumerable.Range(0, 1000).Select(_ => (char)random.Next(0x4E00, 0x9FFF)).ToArray())),
            string.Create(CultureInfo.InvariantCulture, $"sgr-{i:x17}"))).ToList();
        Assert.Null(TableGroupDirectory.EncodeRules(rules));

        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "owner@example.com")), rules), CancellationToken.None);

        var read = await directory.GetAsync(Account, Region, id, CancellationToken.None);
        Assert.NotNull(read);
        Assert.Null(read.Rules);
        Assert.Equal("owner@example.com", read.Tags["OwnerDL"]);
        Assert.Contains(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6157 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task TagsTooLongAsJson_AreNotRemembered()
    {
        var logger = new FakeLogger<TableGroupDirectory>();
        var directory = Create(await SharedEmulators.TableConnectionStringAsync(), NewTableName(), logger);
        var id = NewGroupId();

        // Within every per-tag limit, but control characters take six characters each as JSON.
        var tags = Enumerable.Range(0, GroupDirectoryLimits.MaxTags).ToDictionary(static i => "k" + i.ToString(CultureInfo.InvariantCulture), static _ => new string('\u0001', GroupDirectoryLimits.MaxTagValueLength));
        await directory.RememberAsync(State(id, T0, tags, null), CancellationToken.None);

        Assert.Null(await directory.GetAsync(Account, Region, id, CancellationToken.None));
        Assert.Contains(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6156);
    }

    [Fact]
    public async Task CorruptStoredRules_AreAnsweredAsUnknown()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var logger = new FakeLogger<TableGroupDirectory>();
        var directory = Create(connectionString, tableName, logger);
        var id = NewGroupId();
        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "owner@example.com")), ManyRules(10)), CancellationToken.None);
        var table = new TableClient(connectionString, tableName);
        var entity = Assert.Single(table.Query<TableEntity>());
        entity["Rules0"] = new byte[] { 1, 2, 3 };
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);

        var read = await directory.GetAsync(Account, Region, id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Null(read.Rules);
        Assert.Equal("owner@example.com", read.Tags["OwnerDL"]);
        Assert.Contains(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6159);
    }

    [Fact]
    public async Task StorageThatNeverAnswers_IsUnknownWithinTheBudget_AndRememberReturns()
    {
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        using var accepting = new CancellationTokenSource();
        var connections = new List<TcpClient>();
        var accept = Task.Run(async () =>
        {
            while (!accepting.IsCancellationRequested)
            {
                connections.Add(await silent.AcceptTcpClientAsync(accepting.Token));
            }
        });
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;
        var connectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + EmulatorProcess.AzuriteAccountKey +
            $";TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        var logger = new FakeLogger<TableGroupDirectory>();
        var directory = Own(new TableGroupDirectory(
            Options.Create(new LedgerOptions { ConnectionString = connectionString, GroupTableName = NewTableName() }), TimeProvider.System, logger));

        var stopwatch = Stopwatch.StartNew();
        var read = await directory.GetAsync(Account, Region, NewGroupId(), CancellationToken.None);
        var getTook = stopwatch.Elapsed;
        await directory.RememberAsync(State(NewGroupId(), T0, Tags(), null), CancellationToken.None);
        stopwatch.Stop();

        Assert.Null(read);
        Assert.True(getTook < UnavailableBudget, $"the read took {getTook}");
        Assert.True(stopwatch.Elapsed - getTook < UnavailableBudget, $"the write took {stopwatch.Elapsed - getTook}");
        var logs = logger.Collector.GetSnapshot();
        Assert.Equal(2, logs.Count(static r => r.Id.Id == 6150 && r.Level == LogLevel.Warning));
        Assert.DoesNotContain(logs, static r => (r.Message + r.Exception).Contains(EmulatorProcess.AzuriteAccountKey, StringComparison.Ordinal));
        await accepting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accept);
        connections.ForEach(static c => c.Dispose());
    }

    [Fact]
    public async Task StoppedStorage_IsUnknown_ThenWorksAfterRestart()
    {
        await using var azurite = await EmulatorProcess.StartAzuriteTableAsync();
        var logger = new FakeLogger<TableGroupDirectory>();
        var directory = Create(azurite.TableConnectionString, NewTableName(), logger);
        Assert.True(await directory.TryCreateTableAsync(CancellationToken.None));
        var id = NewGroupId();
        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "owner@example.com")), null), CancellationToken.None);

        await azurite.StopAsync();
        Assert.Null(await directory.GetAsync(Account, Region, id, CancellationToken.None));
        await directory.RememberAsync(State(id, T0.AddMinutes(1), Tags(), null), CancellationToken.None);
        Assert.Equal(2, logger.Collector.GetSnapshot().Count(static r => r.Id.Id == 6150));

        // The emulator keeps nothing across a restart: the table is created again and the directory starts empty.
        await azurite.RestartAsync();
        await directory.RememberAsync(State(id, T0.AddMinutes(2), Tags(("OwnerDL", "new@example.com")), null), CancellationToken.None);
        Assert.Equal("new@example.com", (await directory.GetAsync(Account, Region, id, CancellationToken.None))!.Tags["OwnerDL"]);
        Assert.Contains(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6154);
    }

    [Fact]
    public async Task CallersCancellation_IsNotSwallowed()
    {
        var directory = await CreateDirectoryAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => directory.GetAsync(Account, Region, NewGroupId(), cancelled.Token));
    }

    [Fact]
    public async Task TheGroupTable_IsCreatedAtStartUnderItsOwnName()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var directory = Create(connectionString, tableName);

        Assert.True(await directory.TryCreateTableAsync(CancellationToken.None));

        Assert.Equal(tableName, directory.TableName);
        Assert.Single(new TableServiceClient(connectionString).Query(t => t.Name == tableName));
    }

    protected override async Task<IGroupDirectory> CreateDirectoryAsync() =>
        Create(await SharedEmulators.TableConnectionStringAsync(), NewTableName());

    private static string NewTableName() => "Groups" + Guid.NewGuid().ToString("N");

    private TableGroupDirectory Create(string connectionString, string tableName, ILogger<TableGroupDirectory>? logger = null) =>
        Own(new TableGroupDirectory(
            Options.Create(new LedgerOptions { ConnectionString = connectionString, GroupTableName = tableName }),
            Time,
            logger ?? NullLogger<TableGroupDirectory>.Instance));
}
