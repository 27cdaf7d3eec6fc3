using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Ledger;

/// <summary>The coverage contract against the shared Azurite, plus what only a remote store has: rows, purge, faults.</summary>
public sealed class TableChangeCoverageTests : ChangeCoverageTests
{
    // The ledger's budget for one storage call: far inside the ~15 s SNS gives a delivery.
    private static readonly TimeSpan UnavailableBudget = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Rows_AreHashedKeysInTheLedgersTable_WithTheAtomForPeopleAndTheReportsAsJson()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var coverage = CreateTableCoverage(connectionString, tableName, Time);
        var atom = NewAtom();
        var longAtom = NewAtom() + new string('x', 3000);

        await coverage.RecordAsync([atom, longAtom], new AtomReport(ChangeSource.CloudTrail, CallTime, ["event-1"]), CancellationToken.None);
        var entities = new TableClient(connectionString, tableName).Query<TableEntity>().ToList();

        Assert.Equal(2, entities.Count);
        Assert.All(entities, e =>
        {
            Assert.Matches("^[0-9a-f]{64}$", e.PartitionKey);
            Assert.Equal("atom", e.RowKey);
            Assert.Equal(Time.GetUtcNow(), e.GetDateTimeOffset("UpdatedAt"));
            using var reports = JsonDocument.Parse(e.GetString("Reports"));
            var report = Assert.Single(reports.RootElement.EnumerateArray().ToList());
            Assert.Equal("cloudtrail", report.GetProperty("source").GetString());
            Assert.Equal("event-1", Assert.Single(report.GetProperty("eventIds").EnumerateArray().ToList()).GetString());
        });
        Assert.Equal(LedgerKey.ForAtom(atom).PartitionKey, entities.Single(e => e.GetString("Atom") == atom).PartitionKey);
        Assert.Equal(longAtom[..1024], entities.Single(e => e.GetString("Atom") != atom).GetString("Atom"));
    }

    [Fact]
    public void AtomKeys_NeverMeetMessageOrChangeKeys_OfTheSameText()
    {
        const string text = "123456789012/eu-west-1/sg-0a1b2c3d4e5f67890/1";

        var atom = LedgerKey.ForAtom(text);

        Assert.NotEqual(LedgerKey.ForMessage(text).PartitionKey, atom.PartitionKey);
        Assert.NotEqual(LedgerKey.ForChange(new ChangeKey("123456789012", "eu-west-1", "sg-0a1b2c3d4e5f67890", "1")).PartitionKey, atom.PartitionKey);
        Assert.Equal("atom", atom.RowKey);
        Assert.NotEqual(atom, LedgerKey.ForAtom(text + " "));
    }

    [Fact]
    public async Task LedgerPurge_DeletesAtomRowsLastWrittenBeforeTheRetention()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var options = Options.Create(new LedgerOptions { ConnectionString = connectionString, TableName = tableName, RetentionDays = 30 });
        using var ledger = new TableNotificationLedger(options, Time, NullLogger<TableNotificationLedger>.Instance);
        var purger = new LedgerPurger(ledger, options, Time, NullLogger<LedgerPurger>.Instance);
        var coverage = CreateTableCoverage(connectionString, tableName, Time);
        var (old, rewritten, young) = (NewAtom(), NewAtom(), NewAtom());
        var report = new AtomReport(ChangeSource.CloudTrail, CallTime, ["event-1"]);
        await coverage.RecordAsync([old, rewritten], report, CancellationToken.None);
        var claim = await ledger.ClaimAsync("message-old", new ChangeKey("123456789012", "eu-west-1", "sg-old", "1"), CancellationToken.None);
        await ledger.MarkSentAsync(claim.Lease!, "ses-old", CancellationToken.None);

        Time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        await coverage.RecordAsync([young], report, CancellationToken.None);
        await coverage.RecordAsync([rewritten], report with { Time = CallTime.AddDays(30), EventIds = ["event-2"] }, CancellationToken.None);

        Assert.Equal(3, await purger.PurgeExpiredAsync(CancellationToken.None));
        var found = await coverage.FindAsync([old, rewritten, young], CancellationToken.None);
        Assert.Equal(new[] { rewritten, young }.Order(StringComparer.Ordinal), found!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, found[rewritten].Count);
    }

    [Fact]
    public async Task StoppedStorage_FindIsNullQuickly_RecordDoesNotThrow_BothLogged()
    {
        await using var azurite = await EmulatorProcess.StartAzuriteTableAsync();
        var logger = new FakeLogger<TableChangeCoverage>();
        var coverage = CreateTableCoverage(azurite.TableConnectionString, NewTableName(), TimeProvider.System, logger);
        var atom = NewAtom();
        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.Config, CallTime, ["1"]), CancellationToken.None);
        Assert.NotEmpty((await coverage.FindAsync([atom], CancellationToken.None))!);

        await azurite.StopAsync();
        var stopwatch = Stopwatch.StartNew();
        var found = await coverage.FindAsync([atom, NewAtom()], CancellationToken.None);
        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.CloudTrail, CallTime, ["2"]), CancellationToken.None);
        stopwatch.Stop();

        Assert.Null(found);
        Assert.True(stopwatch.Elapsed < UnavailableBudget, $"find and record took {stopwatch.Elapsed}");
        var logs = logger.Collector.GetSnapshot().Where(static r => r.Id.Id == 6170).ToList();
        Assert.Equal(2, logs.Count);
        Assert.All(logs, static r => Assert.Equal(LogLevel.Warning, r.Level));
        Assert.Contains(logs, static r => r.Message.Contains("find of 2 atom(s)", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => (r.Message + r.Exception).Contains(EmulatorProcess.AzuriteAccountKey, StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Message.Contains(atom, StringComparison.Ordinal));

        // The emulator keeps no data across a restart, so this also proves a vanished table is created again.
        await azurite.RestartAsync();
        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.CloudTrail, CallTime, ["3"]), CancellationToken.None);
        Assert.Equal(["3"], Assert.Single((await coverage.FindAsync([atom], CancellationToken.None))![atom]).EventIds);
    }

    [Fact]
    public async Task StorageThatNeverAnswers_FindIsNullWithinTheCallBudget()
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
        var logger = new FakeLogger<TableChangeCoverage>();

        // The client alone would give up after three 2 s network timeouts; the call's budget ends it sooner.
        var coverage = new TableChangeCoverage(
            Options.Create(new LedgerOptions { ConnectionString = connectionString, TableName = NewTableName() }), TimeProvider.System, logger, TimeSpan.FromSeconds(1));
        var stopwatch = Stopwatch.StartNew();
        var found = await coverage.FindAsync(Enumerable.Range(0, 20).Select(static _ => NewAtom()).ToList(), CancellationToken.None);
        await coverage.RecordAsync([NewAtom()], new AtomReport(ChangeSource.CloudTrail, CallTime, ["1"]), CancellationToken.None);
        stopwatch.Stop();

        Assert.Null(found);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"find and record took {stopwatch.Elapsed}");
        Assert.Equal(2, logger.Collector.GetSnapshot().Count(static r => r.Id.Id == 6170));
        await accepting.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => accept);
        connections.ForEach(static c => c.Dispose());
    }

    [Fact]
    public async Task RowChangingUnderEveryWrite_GivesUpAfterThreeRaces_Logged()
    {
        // A Table endpoint where someone else always wrote first: the insert finds the row, every replace its ETag stale.
        const string stored = "[{\"source\":\"config\",\"time\":\"2026-03-01T12:06:00.0000000+00:00\",\"eventIds\":[\"1700000000001\"]}]";
        await using var table = await LoopbackHttpStub.StartAsync(async (context, request) =>
        {
            context.Response.ContentType = "application/json;odata=minimalmetadata";
            switch (request.Method)
            {
                case "POST":
                    await TableErrorAsync(context, 409, "EntityAlreadyExists");
                    break;
                case "GET":
                    var etag = "W/\"datetime'" + Uri.EscapeDataString(DateTime.UtcNow.ToString("O")) + "'\"";
                    context.Response.Headers.ETag = etag;
                    await context.Response.WriteAsync(JsonSerializer.Serialize(new Dictionary<string, string>
                    {
                        ["odata.etag"] = etag,
                        ["PartitionKey"] = "p",
                        ["RowKey"] = "atom",
                        ["Reports"] = stored,
                    }));
                    break;
                default:
                    await TableErrorAsync(context, 412, "UpdateConditionNotSatisfied");
                    break;
            }
        });
        var connectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + EmulatorProcess.AzuriteAccountKey +
            $";TableEndpoint={table.BaseUri}devstoreaccount1;";
        var logger = new FakeLogger<TableChangeCoverage>();
        var coverage = CreateTableCoverage(connectionString, NewTableName(), Time, logger);
        var atom = NewAtom();

        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.CloudTrail, CallTime, ["event-1"]), CancellationToken.None);

        Assert.Equal(["POST", "GET", "PUT", "GET", "PUT", "GET", "PUT"], table.Requests.Select(static r => r.Method));
        Assert.False(table.Requests.First().Headers.ContainsKey("If-Match"));
        Assert.All(table.Requests.Where(static r => r.Method == "PUT"), static r => Assert.StartsWith("W/", r.Headers["If-Match"], StringComparison.Ordinal));
        var lost = Assert.Single(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6173);
        Assert.Contains(LedgerKey.ForAtom(atom).PartitionKey, lost.Message, StringComparison.Ordinal);
    }

    private static async Task TableErrorAsync(HttpContext context, int status, string code)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = code;
        await context.Response.WriteAsync("{\"odata.error\":{\"code\":\"" + code + "\",\"message\":{\"lang\":\"en-US\",\"value\":\"" + code + "\"}}}");
    }

    [Fact]
    public async Task CallersCancellation_IsNotReportedAsUnavailable()
    {
        var logger = new FakeLogger<TableChangeCoverage>();
        var coverage = CreateTableCoverage(await SharedEmulators.TableConnectionStringAsync(), NewTableName(), Time, logger);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => coverage.FindAsync([NewAtom()], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => coverage.RecordAsync([NewAtom()], new AtomReport(ChangeSource.Config, CallTime, []), cancelled.Token));
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6170);
    }

    [Fact]
    public async Task TableDeletedWhileRunning_HoldsNothing_AndTheNextRecordCreatesItAgain()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var coverage = CreateTableCoverage(connectionString, tableName, Time);
        var atom = NewAtom();
        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.Config, CallTime, ["1"]), CancellationToken.None);

        await new TableClient(connectionString, tableName).DeleteAsync();

        Assert.Empty((await coverage.FindAsync([atom], CancellationToken.None))!);
        await coverage.RecordAsync([atom, NewAtom()], new AtomReport(ChangeSource.CloudTrail, CallTime, ["2"]), CancellationToken.None);
        Assert.Equal(["2"], Assert.Single((await coverage.FindAsync([atom], CancellationToken.None))![atom]).EventIds);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"source\":\"config\"}")]
    [InlineData("[{\"source\":\"sqs\",\"time\":\"2026-03-01T12:00:00.0000000+00:00\",\"eventIds\":[]}]")]
    [InlineData("[{\"source\":\"config\",\"time\":\"yesterday\",\"eventIds\":[]}]")]
    [InlineData("[{\"source\":\"config\",\"time\":\"2026-03-01T12:00:00.0000000+00:00\",\"eventIds\":[1]}]")]
    public async Task UnreadableRow_IsAbsent_AndTheNextReportReplacesIt(string reports)
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        var logger = new FakeLogger<TableChangeCoverage>();
        var coverage = CreateTableCoverage(connectionString, tableName, Time, logger);
        var atom = NewAtom();
        var key = LedgerKey.ForAtom(atom);
        var table = new TableClient(connectionString, tableName);
        await table.CreateIfNotExistsAsync();
        await table.AddEntityAsync(new TableEntity(key.PartitionKey, key.RowKey) { ["Atom"] = atom, ["Reports"] = reports });

        var found = await coverage.FindAsync([atom], CancellationToken.None);
        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.CloudTrail, CallTime, ["event-1"]), CancellationToken.None);

        Assert.NotNull(found);
        Assert.Empty(found);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 6172 && r.Message.Contains(key.PartitionKey, StringComparison.Ordinal));
        Assert.Equal(["event-1"], Assert.Single((await coverage.FindAsync([atom], CancellationToken.None))![atom]).EventIds);
    }

    protected override async Task<IChangeCoverage> CreateCoverageAsync() =>
        CreateTableCoverage(await SharedEmulators.TableConnectionStringAsync(), NewTableName(), Time);

    protected override async Task<(IChangeCoverage First, IChangeCoverage Second)> CreatePairAsync()
    {
        var connectionString = await SharedEmulators.TableConnectionStringAsync();
        var tableName = NewTableName();
        return (CreateTableCoverage(connectionString, tableName, Time), CreateTableCoverage(connectionString, tableName, Time));
    }

    private static string NewTableName() => "Coverage" + Guid.NewGuid().ToString("N");

    // No table is created here: a missing table holds nothing, and the first record creates it.
    private static TableChangeCoverage CreateTableCoverage(string connectionString, string tableName, TimeProvider time, ILogger<TableChangeCoverage>? logger = null) =>
        new(Options.Create(new LedgerOptions { ConnectionString = connectionString, TableName = tableName }), time, logger ?? NullLogger<TableChangeCoverage>.Instance);
}
