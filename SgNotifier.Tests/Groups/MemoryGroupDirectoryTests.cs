using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using SgNotifier.Core.Groups;

namespace SgNotifier.Tests.Groups;

public sealed class MemoryGroupDirectoryTests : GroupDirectoryTests
{
    [Fact]
    public async Task FullDirectory_ForgetsTheGroupObservedLongestAgo()
    {
        var logger = new FakeLogger<MemoryGroupDirectory>();
        var directory = new MemoryGroupDirectory(logger, capacity: 3);
        var ids = Enumerable.Range(0, 4).Select(static _ => NewGroupId()).ToList();
        var times = new[] { T0.AddMinutes(2), T0, T0.AddMinutes(3), T0.AddMinutes(1) };

        for (var i = 0; i < 4; i++)
        {
            await directory.RememberAsync(State(ids[i], times[i], Tags(("OwnerDL", "o@example.com")), null), CancellationToken.None);
        }

        Assert.Null(await directory.GetAsync(Account, Region, ids[1], CancellationToken.None));
        foreach (var kept in new[] { ids[0], ids[2], ids[3] })
        {
            Assert.NotNull(await directory.GetAsync(Account, Region, kept, CancellationToken.None));
        }

        Assert.Contains(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6161);
        Assert.Contains(logger.Collector.GetSnapshot(), static r => r.Id.Id == 6160);
    }

    [Fact]
    public async Task UpdatingAKnownGroup_InAFullDirectory_ForgetsNothing()
    {
        var directory = new MemoryGroupDirectory(NullLogger<MemoryGroupDirectory>.Instance, capacity: 2);
        var a = NewGroupId();
        var b = NewGroupId();
        await directory.RememberAsync(State(a, T0, Tags(), null), CancellationToken.None);
        await directory.RememberAsync(State(b, T0.AddMinutes(1), Tags(), null), CancellationToken.None);

        await directory.RememberAsync(State(a, T0.AddMinutes(2), Tags(), null), CancellationToken.None);

        Assert.NotNull(await directory.GetAsync(Account, Region, a, CancellationToken.None));
        Assert.NotNull(await directory.GetAsync(Account, Region, b, CancellationToken.None));
    }

    [Fact]
    public async Task StateBeyondALimit_IsLoggedWithItsReason()
    {
        var logger = new FakeLogger<MemoryGroupDirectory>();
        var directory = new MemoryGroupDirectory(logger);

        await directory.RememberAsync(State(NewGroupId(), T0, Tags(("k", new string('v', GroupDirectoryLimits.MaxTagValueLength + 1))), null), CancellationToken.None);
        await directory.RememberAsync(State(NewGroupId(), T0, Tags(), ManyRules(GroupDirectoryLimits.MaxRules + 1)), CancellationToken.None);

        var logs = logger.Collector.GetSnapshot();
        Assert.Contains(logs, static r => r.Id.Id == 6156 && r.Message.Contains("tag value", StringComparison.Ordinal));
        Assert.Contains(logs, static r => r.Id.Id == 6157 && r.Message.Contains("2001 rules", StringComparison.Ordinal));
    }

    protected override Task<IGroupDirectory> CreateDirectoryAsync() =>
        Task.FromResult<IGroupDirectory>(new MemoryGroupDirectory(NullLogger<MemoryGroupDirectory>.Instance));
}
