using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Ledger;
using SgNotifier.Tests.Changes;

namespace SgNotifier.Tests.Ledger;

/// <summary>The coverage contract, run against every implementation (Table against a real Azurite).</summary>
public abstract class ChangeCoverageTests
{
    protected static readonly DateTimeOffset CallTime = HandBuiltChanges.CallTime;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 5, 0, TimeSpan.Zero));

    [Fact]
    public async Task AtomNeverReported_IsAbsent()
    {
        var coverage = await CreateCoverageAsync();

        var found = await coverage.FindAsync([NewAtom()], CancellationToken.None);

        Assert.NotNull(found);
        Assert.Empty(found);
    }

    [Fact]
    public async Task RecordedReport_IsFoundForEachOfItsAtoms_AndOnlyThose()
    {
        var coverage = await CreateCoverageAsync();
        string[] atoms = [NewAtom(), NewAtom()];
        var other = NewAtom();
        var report = new AtomReport(ChangeSource.CloudTrail, CallTime, ["3e1a5c7b-0000-4000-8000-000000000001"]);

        await coverage.RecordAsync(atoms, report, CancellationToken.None);
        var found = await coverage.FindAsync([.. atoms, other], CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(atoms.Order(StringComparer.Ordinal), found.Keys.Order(StringComparer.Ordinal));
        Assert.All(found.Values, reports =>
        {
            var stored = Assert.Single(reports);
            Assert.Equal(ChangeSource.CloudTrail, stored.Source);
            Assert.Equal(CallTime, stored.Time);
            Assert.Equal(report.EventIds, stored.EventIds);
        });
    }

    [Fact]
    public async Task ReportsOfBothSources_AreKeptNewestFirst_AndARepeatOnce()
    {
        var coverage = await CreateCoverageAsync();
        var atom = NewAtom();
        var call = new AtomReport(ChangeSource.CloudTrail, CallTime, ["event-1"]);
        var item = new AtomReport(ChangeSource.Config, CallTime + TimeSpan.FromMinutes(6), ["1700000000001"]);

        await coverage.RecordAsync([atom], call, CancellationToken.None);
        await coverage.RecordAsync([atom], item, CancellationToken.None);
        await coverage.RecordAsync([atom], call with { EventIds = ["event-1"] }, CancellationToken.None);
        var reports = (await coverage.FindAsync([atom], CancellationToken.None))![atom];

        Assert.Equal([ChangeSource.Config, ChangeSource.CloudTrail], reports.Select(static r => r.Source));
        Assert.Equal([item.Time, call.Time], reports.Select(static r => r.Time));
    }

    [Fact]
    public async Task AtMostEightReportsPerAtom_TheNewestKept()
    {
        var coverage = await CreateCoverageAsync();
        var atom = NewAtom();
        for (var i = 0; i < 10; i++)
        {
            await coverage.RecordAsync([atom], new AtomReport(ChangeSource.CloudTrail, CallTime.AddMinutes(i), [$"event-{i}"]), CancellationToken.None);
        }

        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.CloudTrail, CallTime.AddMinutes(-1), ["too-old"]), CancellationToken.None);
        var reports = (await coverage.FindAsync([atom], CancellationToken.None))![atom];

        Assert.Equal(Enumerable.Range(2, 8).Reverse().Select(static i => $"event-{i}"), reports.Select(static r => Assert.Single(r.EventIds)));
    }

    [Fact]
    public async Task EventIds_AtMostFiveOfAtMost128Characters()
    {
        var coverage = await CreateCoverageAsync();
        var atom = NewAtom();
        string[] ids = [new string('a', 500), "b", "b", "c", "", "d", "e", "f"];

        await coverage.RecordAsync([atom], new AtomReport(ChangeSource.Config, CallTime, ids), CancellationToken.None);
        var stored = Assert.Single((await coverage.FindAsync([atom], CancellationToken.None))![atom]);

        Assert.Equal([new string('a', 128), "b", "c", "d", "e"], stored.EventIds);
    }

    [Theory]
    [MemberData(nameof(NotificationLedgerTests.HostileTexts), MemberType = typeof(NotificationLedgerTests))]
    public async Task HostileAtomsAndEventIds_AreStoredAndFound(string text)
    {
        var coverage = await CreateCoverageAsync();
        var atom = NewAtom() + text;
        var report = new AtomReport(ChangeSource.CloudTrail, CallTime, [text]);

        await coverage.RecordAsync([atom, text], report, CancellationToken.None);
        var found = await coverage.FindAsync([atom, text], CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(2, found.Count);
        Assert.Single(found[atom]);
    }

    [Fact]
    public async Task MoreAtomsThanOneCallTakes_OnlyTheFirst256AreRecordedAndRead()
    {
        var coverage = await CreateCoverageAsync();
        var atoms = Enumerable.Range(0, 300).Select(static i => $"bulk {i:D3} {Guid.NewGuid():N}").ToList();
        var report = new AtomReport(ChangeSource.Config, CallTime, ["1700000000001"]);

        await coverage.RecordAsync(atoms, report, CancellationToken.None);
        var found = await coverage.FindAsync(atoms, CancellationToken.None);
        var rest = await coverage.FindAsync(atoms[256..], CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(atoms[..256], found.Keys.Order(StringComparer.Ordinal));
        Assert.NotNull(rest);
        Assert.Empty(rest);
    }

    [Fact]
    public async Task TwoRecordersOfTheSameAtomsAtOnce_AreBothKept()
    {
        var (first, second) = await CreatePairAsync();
        var atoms = Enumerable.Range(0, 40).Select(static _ => NewAtom()).ToList();
        var earlier = new AtomReport(ChangeSource.CloudTrail, CallTime - TimeSpan.FromHours(1), ["event-0"]);
        var call = new AtomReport(ChangeSource.CloudTrail, CallTime, ["event-1"]);
        var item = new AtomReport(ChangeSource.Config, CallTime + TimeSpan.FromMinutes(5), ["1700000000001"]);

        // Rows that exist already: both recorders read the same version and replace it at once; only ETags keep both.
        await first.RecordAsync(atoms, earlier, CancellationToken.None);
        using var start = new ManualResetEventSlim();
        var recorders = new[] { (first, call), (second, item) }
            .Select(r => Task.Run(async () =>
            {
                start.Wait();
                await r.Item1.RecordAsync(atoms, r.Item2, CancellationToken.None);
            }))
            .ToList();
        start.Set();
        await Task.WhenAll(recorders);
        var found = await second.FindAsync(atoms, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal(atoms.Count, found.Count);
        Assert.All(found.Values, reports => Assert.Equal(["1700000000001", "event-1", "event-0"], reports.Select(static r => r.EventIds[0])));
    }

    [Fact]
    public async Task RecordedReports_CorrelateTheOtherSourcesChange()
    {
        var coverage = await CreateCoverageAsync();
        var group = HandBuiltChanges.Group(groupId: "sg-0" + Guid.NewGuid().ToString("N")[..16]);
        var call = HandBuiltChanges.FromCloudTrail(
            ChangeKind.Updated, HandBuiltChanges.Rules(added: [HandBuiltChanges.Ingress("tcp", 3389, 3389, "0.0.0.0/0")]), eventTime: CallTime, group: group);
        var item = HandBuiltChanges.FromConfig(
            ChangeKind.Updated, HandBuiltChanges.Rules(added: [HandBuiltChanges.Ingress("tcp", 3389, 3389, "0.0.0.0/0", "x")]),
            capturedAt: CallTime + TimeSpan.FromMinutes(5), group: group);

        await coverage.RecordAsync(ChangeAtoms.Of(call).ToList(), new AtomReport(call.Source, call.Time!.Value, call.CloudTrailEventIds), CancellationToken.None);
        var atoms = ChangeAtoms.Of(item);
        var result = ChangeCorrelation.Correlate(item, atoms, await coverage.FindAsync(atoms.ToList(), CancellationToken.None), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(2));

        Assert.True(result.AllCovered);
        Assert.Equal(call.CloudTrailEventIds, Assert.Single(result.Covering).EventIds);
    }

    [Fact]
    public async Task NoAtoms_FindsNothingAndRecordsNothing()
    {
        var coverage = await CreateCoverageAsync();

        await coverage.RecordAsync([], new AtomReport(ChangeSource.Config, CallTime, []), CancellationToken.None);
        var found = await coverage.FindAsync([], CancellationToken.None);

        Assert.NotNull(found);
        Assert.Empty(found);
    }

    protected static string NewAtom() => "12:123456789012 9:eu-west-1 20:sg-0a1b2c3d4e5f67890 3:tag 4:test 32:" + Guid.NewGuid().ToString("N");

    protected abstract Task<IChangeCoverage> CreateCoverageAsync();

    /// <summary>Two instances sharing one store (two app instances, or one process for the memory store).</summary>
    protected abstract Task<(IChangeCoverage First, IChangeCoverage Second)> CreatePairAsync();
}
