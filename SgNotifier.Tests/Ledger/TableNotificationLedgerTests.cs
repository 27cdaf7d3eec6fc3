using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Ledger;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Ledger;

/// <summary>The protocol suite against the shared Azurite, plus the faults only a remote store has.</summary>
public sealed class TableNotificationLedgerTests : NotificationLedgerTests
{
    // Far inside the ~15 s SNS gives a delivery: storage trouble must turn into a 503, not a timeout.
    private static readonly TimeSpan UnavailableBudget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task StoppedStorage_IsUnavailableQuicklyAndClaimsNothing_ThenWorksAfterRestart()
    {
        await using var azurite = await EmulatorProcess.StartAzuriteTableAsync();
        var logger = new FakeLogger<TableNotificationLedger>();
        var ledger = CreateTableLedger(azurite.TableConnectionString, NewTableName(), TimeProvider.System, logger);
        var held = await ledger.ClaimAsync(NewMessageId(), NewChangeKey(), CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, held.Status);

        await azurite.StopAsync();
        var stopwatch = Stopwatch.StartNew();
        var claim = await ledger.ClaimAsync(NewMessageId(), NewChangeKey(), CancellationToken.None);
        var sent = await ledger.MarkSentAsync(held.Lease!, "ses-unrecorded", CancellationToken.None);
        var released = await ledger.ReleaseAsync(held.Lease!, CancellationToken.None);
        stopwatch.Stop();

        Assert.Equal(LedgerClaimStatus.Unavailable, claim.Status);
        Assert.Null(claim.Lease);
        Assert.Equal(LedgerWriteResult.Unavailable, sent);
        Assert.Equal(LedgerWriteResult.Unavailable, released);
        Assert.True(stopwatch.Elapsed < UnavailableBudget, $"three calls took {stopwatch.Elapsed}");
        var logs = logger.Collector.GetSnapshot();
        Assert.Equal(3, logs.Count(static r => r.Id.Id == 4003 && r.Level == LogLevel.Warning));
        Assert.DoesNotContain(logs, static r => (r.Message + r.Exception).Contains(EmulatorProcess.AzuriteAccountKey, StringComparison.Ordinal));

        // The emulator keeps no data across a restart, so this also proves a vanished table is created again.
        await azurite.RestartAsync();
        var key = NewChangeKey();
        var afterRestart = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, afterRestart.Status);
        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkSentAsync(afterRestart.Lease!, "ses-0005", CancellationToken.None));
        Assert.Equal(LedgerClaimStatus.AlreadySent, (await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task StorageThatNeverAnswers_IsUnavailableWithinTheSnsBudget()
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
        var ledger = CreateTableLedger(connectionString, NewTableName(), TimeProvider.System);

        var stopwatch = Stopwatch.StartNew();
        var claim = await ledger.ClaimAsync(NewMessageId(), NewChangeKey(), CancellationToken.None);
        stopwatch.Stop();

        Assert.Equal(LedgerClaimStatus.Unavailable, claim.Status);
        Assert.True(stopwatch.Elapsed < UnavailableBudget, $"the claim took {stopwatch.Elapsed}");
        await accepting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accept);
        connections.ForEach(static c => c.Dispose());
    }

    [Fact]
    public async Task CallersCancellation_IsNotReportedAsUnavailable()
    {
        var ledger = await CreateLedgerAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ledger.ClaimAsync(NewMessageId(), NewChangeKey(), cancelled.Token));
    }

    [Fact]
    public async Task TableDeletedWhileRunning_IsCreatedAgain()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var ledger = CreateTableLedger(connectionString, tableName, Time);
        Assert.Equal(LedgerClaimStatus.Claimed, (await ledger.ClaimAsync(NewMessageId(), null, CancellationToken.None)).Status);

        await new TableClient(connectionString, tableName).DeleteAsync();

        Assert.Equal(LedgerClaimStatus.Claimed, (await ledger.ClaimAsync(NewMessageId(), null, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task EntryInAnUnknownState_IsTreatedAsInProgressNeverAsFree()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var ledger = CreateTableLedger(connectionString, tableName, Time);
        var messageId = NewMessageId();
        var claim = await ledger.ClaimAsync(messageId, null, CancellationToken.None);
        await ledger.ReleaseAsync(claim.Lease!, CancellationToken.None);
        var table = new TableClient(connectionString, tableName);
        var entity = Assert.Single(table.Query<TableEntity>());
        entity["State"] = "Quarantined";
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Replace);

        Time.Advance(Lease * 10);
        var again = await ledger.ClaimAsync(messageId, null, CancellationToken.None);

        Assert.Equal(LedgerClaimStatus.InProgress, again.Status);
    }

    [Fact]
    public async Task Entries_KeepTheOriginalTextForPeopleButHashedKeys()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var ledger = CreateTableLedger(connectionString, tableName, Time);
        var key = NewChangeKey();
        var claim = await ledger.ClaimAsync("sns/message#1", key, CancellationToken.None);
        await ledger.MarkSentAsync(claim.Lease!, "ses-0006", CancellationToken.None);

        var entities = new TableClient(connectionString, tableName).Query<TableEntity>().ToList();

        Assert.Equal(["change", "message"], entities.Select(static e => e.RowKey).Order());
        Assert.All(entities, e =>
        {
            Assert.Matches("^[0-9a-f]{64}$", e.PartitionKey);
            Assert.Equal("Sent", e.GetString("State"));
            Assert.Equal("sns/message#1", e.GetString("MessageId"));
            Assert.Equal(key.ToString(), e.GetString("ChangeKey"));
            Assert.Equal("ses-0006", e.GetString("ProviderMessageId"));
        });
    }

    protected override async Task<INotificationLedger> CreateLedgerAsync() =>
        CreateTableLedger(await SharedEmulators.TableConnectionStringAsync(), NewTableName(), Time);

    private static string NewTableName() => "Ledger" + Guid.NewGuid().ToString("N");

    private TableNotificationLedger CreateTableLedger(string connectionString, string tableName, TimeProvider time, ILogger<TableNotificationLedger>? logger = null) =>
        Own(new TableNotificationLedger(
            Options.Create(new LedgerOptions { ConnectionString = connectionString, TableName = tableName, LeaseDuration = Lease }),
            time,
            logger ?? NullLogger<TableNotificationLedger>.Instance));
}
