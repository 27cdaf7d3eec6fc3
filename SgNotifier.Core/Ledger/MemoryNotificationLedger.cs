using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// The ledger protocol in process memory, for single-process local runs only: several instances, or a restart, do
/// not share it, so it cannot keep the once-only promise when the app scales out. Thread-safe.
/// </summary>
public sealed class MemoryNotificationLedger : INotificationLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<LedgerKey, (LedgerRow Row, string Version)> _entries = [];
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<MemoryNotificationLedger> _logger;
    private readonly TimeSpan _leaseDuration;
    private long _lastVersion;

    public MemoryNotificationLedger(IOptions<LedgerOptions> options, TimeProvider timeProvider, ILogger<MemoryNotificationLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _leaseDuration = options.Value.LeaseDuration;
        _timeProvider = timeProvider;
        _logger = logger;
        _logger.MemoryLedgerInUse();
    }

    public Task<LedgerClaim> ClaimAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            var messageKey = LedgerKey.ForMessage(messageId);
            if (changeKey is not null && _entries.TryGetValue(messageKey, out var earlier) && earlier.Row.Blocks(now) is { } answered)
            {
                return Task.FromResult(answered);
            }

            var key = changeKey is null ? messageKey : LedgerKey.ForChange(changeKey);
            var attempt = 1;
            UncertainSend? pending = null;
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing.Row.Blocks(now) is { } blocking)
                {
                    return Task.FromResult(blocking);
                }

                attempt = existing.Row.Attempt + 1;
                pending = existing.Row.Pending;
                _logger.ClaimTakenOver(key.RowKey, messageId, attempt);
            }

            var claim = LedgerRow.Claimed(messageId, changeKey?.ToString(), attempt, now, _leaseDuration, pending);
            var version = Write(key, claim);
            return Task.FromResult(LedgerClaim.Claimed(new LedgerLease(key, version, claim.ClaimId, messageId, changeKey, attempt, claim.LeaseExpiresAt, pending)));
        }
    }

    public Task<LedgerClaim?> PeekFinalAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var key = changeKey is null ? LedgerKey.ForMessage(messageId) : LedgerKey.ForChange(changeKey);
            return Task.FromResult(_entries.TryGetValue(key, out var entry) && entry.Row.IsFinal ? entry.Row.Blocks(_timeProvider.GetUtcNow()) : null);
        }
    }

    public Task<LedgerWriteResult> MarkSentAsync(LedgerLease lease, string providerMessageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrEmpty(providerMessageId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var now = _timeProvider.GetUtcNow();
            LedgerRow sent;
            if (!_entries.TryGetValue(lease.Key, out var current))
            {
                // Purged under a live lease (a retention shorter than a send): the sent mail is still a fact.
                sent = LedgerRow.Of(lease, now).Sent(lease, providerMessageId, now);
                Write(lease.Key, sent);
            }
            else if (current.Version == lease.Version || current.Row.State != LedgerState.Sent)
            {
                if (current.Version != lease.Version)
                {
                    _logger.SentAfterLeaseLost(lease.MessageId);
                }

                sent = current.Row.Sent(lease, providerMessageId, now);
                Write(lease.Key, sent);
            }
            else
            {
                _logger.SentAfterLeaseLost(lease.MessageId);
                sent = current.Row;
            }

            WriteMessageEntry(lease, sent);
            return Task.FromResult(LedgerWriteResult.Recorded);
        }
    }

    public Task<LedgerWriteResult> MarkRejectedAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        return Task.FromResult(ReplaceOwn(lease, row => row.Rejected(errorCode, _timeProvider.GetUtcNow()), cancellationToken));
    }

    public Task<LedgerWriteResult> ReleaseAsync(LedgerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Task.FromResult(ReplaceOwn(lease, row => row.Released(_timeProvider.GetUtcNow()), cancellationToken));
    }

    public Task<LedgerWriteResult> ReleaseForRepeatAsync(LedgerLease lease, UncertainSend repeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(repeat);
        return Task.FromResult(ReplaceOwn(lease, row => row.Released(_timeProvider.GetUtcNow()) with { Pending = repeat }, cancellationToken));
    }

    public Task<LedgerWriteResult> MarkUncertainAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        return Task.FromResult(ReplaceOwn(lease, row => row.Uncertain(errorCode, _timeProvider.GetUtcNow()), cancellationToken));
    }

    public Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var old = _entries.Where(e => e.Value.Row.UpdatedAt < olderThan).Select(static e => e.Key).ToList();
            foreach (var key in old)
            {
                _entries.Remove(key);
            }

            return Task.FromResult(old.Count);
        }
    }

    private LedgerWriteResult ReplaceOwn(LedgerLease lease, Func<LedgerRow, LedgerRow> change, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_entries.TryGetValue(lease.Key, out var current) || current.Version != lease.Version)
            {
                return LedgerWriteResult.ClaimLost;
            }

            var changed = change(current.Row);
            Write(lease.Key, changed);
            if (changed.IsFinal)
            {
                WriteMessageEntry(lease, changed);
            }

            return LedgerWriteResult.Recorded;
        }
    }

    /// <summary>Once a change entry is final, its delivery's MessageId answers retries of that delivery directly.</summary>
    private void WriteMessageEntry(LedgerLease lease, LedgerRow final)
    {
        if (lease.Key.IsChange)
        {
            Write(LedgerKey.ForMessage(lease.MessageId), final);
        }
    }

    private string Write(LedgerKey key, LedgerRow row)
    {
        var version = (++_lastVersion).ToString(CultureInfo.InvariantCulture);
        _entries[key] = (row, version);
        return version;
    }
}
