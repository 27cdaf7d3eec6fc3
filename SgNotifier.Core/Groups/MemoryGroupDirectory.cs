using Microsoft.Extensions.Logging;
using SgNotifier.Core.Changes;

namespace SgNotifier.Core.Groups;

/// <summary>
/// The group directory in process memory, for single-process local runs: it forgets at restart and instances do not
/// share it. Thread-safe and bounded: when full, the group observed longest ago is forgotten. Same semantics as
/// <see cref="TableGroupDirectory"/> (see <see cref="GroupEntry"/> and <see cref="GroupDirectoryLimits"/>).
/// </summary>
public sealed class MemoryGroupDirectory : IGroupDirectory
{
    internal const int DefaultCapacity = 10_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<(string AccountId, string Region, string GroupId), GroupEntry> _entries = [];
    private readonly ILogger<MemoryGroupDirectory> _logger;
    private readonly int _capacity;

    public MemoryGroupDirectory(ILogger<MemoryGroupDirectory> logger)
        : this(logger, DefaultCapacity)
    {
    }

    internal MemoryGroupDirectory(ILogger<MemoryGroupDirectory> logger, int capacity)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _logger = logger;
        _capacity = capacity;
        _logger.MemoryGroupDirectoryInUse();
    }

    public Task<GroupState?> GetAsync(string accountId, string region, string groupId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrEmpty(accountId) || string.IsNullOrEmpty(region) || string.IsNullOrEmpty(groupId))
        {
            return Task.FromResult<GroupState?>(null);
        }

        lock (_gate)
        {
            return Task.FromResult(_entries.TryGetValue(Key(accountId, region, groupId), out var entry) ? entry.State : null);
        }
    }

    public Task RememberAsync(GroupState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        cancellationToken.ThrowIfCancellationRequested();
        var bounded = GroupDirectoryLimits.Bound(state, out var rejected, out var rulesDropped);
        if (bounded is null)
        {
            _logger.GroupStateNotRemembered(GroupDirectoryLimits.ForLog(state.Group?.Id), GroupDirectoryLimits.ForLog(state.Origin), rejected!);
            return Task.CompletedTask;
        }

        if (rulesDropped is not null)
        {
            _logger.GroupRulesNotStored(GroupDirectoryLimits.ForLog(bounded.Group.Id), bounded.Origin, rulesDropped);
        }

        var key = Key(bounded.Group.AccountId, bounded.Group.Region, bounded.Group.Id);
        lock (_gate)
        {
            var existing = _entries.GetValueOrDefault(key);
            if (GroupEntry.Merge(existing, bounded, rulesDropped is not null) is not { } merged)
            {
                return Task.CompletedTask;
            }

            if (existing is null && _entries.Count >= _capacity)
            {
                // O(n), but only when full: a local run rarely sees thousands of groups.
                var oldest = _entries.MinBy(static e => e.Value.State.ObservedAt).Key;
                _entries.Remove(oldest);
                _logger.MemoryGroupDirectoryFull(_capacity);
            }

            _entries[key] = merged;
        }

        return Task.CompletedTask;
    }

    private static (string, string, string) Key(string accountId, string region, string groupId) =>
        (GroupDirectoryLimits.Storable(accountId), GroupDirectoryLimits.Storable(region), GroupDirectoryLimits.Storable(groupId));
}
