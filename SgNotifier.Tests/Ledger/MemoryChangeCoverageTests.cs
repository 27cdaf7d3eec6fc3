using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Ledger;

namespace SgNotifier.Tests.Ledger;

public sealed class MemoryChangeCoverageTests : ChangeCoverageTests
{
    [Fact]
    public async Task PastItsCapacity_TheLeastRecentlyWrittenAtomIsForgotten()
    {
        var coverage = new MemoryChangeCoverage(NullLogger<MemoryChangeCoverage>.Instance, capacity: 3);
        var report = new AtomReport(ChangeSource.CloudTrail, CallTime, ["event-1"]);
        await coverage.RecordAsync(["a", "b", "c"], report, CancellationToken.None);
        await coverage.RecordAsync(["a"], report with { EventIds = ["event-2"] }, CancellationToken.None);

        await coverage.RecordAsync(["d"], report, CancellationToken.None);
        var found = await coverage.FindAsync(["a", "b", "c", "d"], CancellationToken.None);

        Assert.Equal(["a", "c", "d"], found!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, found["a"].Count);
    }

    [Fact]
    public async Task InUse_AndTooManyAtoms_AreLogged()
    {
        var logger = new FakeLogger<MemoryChangeCoverage>();
        var coverage = new MemoryChangeCoverage(logger);
        Assert.Empty(logger.Collector.GetSnapshot()); // Config only (the default) never uses it: no warning at start

        await coverage.FindAsync(Enumerable.Range(0, 257).Select(static i => i.ToString()).ToList(), CancellationToken.None);

        var logs = logger.Collector.GetSnapshot();
        Assert.Contains(logs, static r => r.Id.Id == 6174 && r.Level == LogLevel.Warning);
        Assert.Contains(logs, static r => r.Id.Id == 6171 && r.Message.Contains("257", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CallersCancellation_Throws()
    {
        var coverage = new MemoryChangeCoverage(NullLogger<MemoryChangeCoverage>.Instance);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => coverage.FindAsync(["a"], cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => coverage.RecordAsync(["a"], new AtomReport(ChangeSource.Config, CallTime, []), cancelled.Token));
    }

    protected override Task<IChangeCoverage> CreateCoverageAsync() =>
        Task.FromResult<IChangeCoverage>(new MemoryChangeCoverage(NullLogger<MemoryChangeCoverage>.Instance));

    protected override Task<(IChangeCoverage First, IChangeCoverage Second)> CreatePairAsync()
    {
        var coverage = new MemoryChangeCoverage(NullLogger<MemoryChangeCoverage>.Instance);
        return Task.FromResult<(IChangeCoverage, IChangeCoverage)>((coverage, coverage));
    }
}
