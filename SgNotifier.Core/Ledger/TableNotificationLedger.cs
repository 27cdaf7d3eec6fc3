using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// The ledger in Azure Table Storage, shared by every instance. A claim is an insert-if-absent (409 = taken); a takeover
/// or any later write is a replace conditional on the ETag the writer last saw (412 = someone else wrote first), so
/// exactly one of several concurrent writers wins. Storage failures become <see cref="LedgerClaimStatus.Unavailable"/>
/// or <see cref="LedgerWriteResult.Unavailable"/>, within a few seconds: the endpoint must answer SNS in about 15 s.
/// </summary>
public sealed class TableNotificationLedger : INotificationLedger, IDisposable
{
    // A lost race is re-read and retried; more than a few in a row means heavy contention: report it as in progress.
    private const int MaxRaces = 3;

    private readonly TableClient _table;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TableNotificationLedger> _logger;
    private readonly TimeSpan _leaseDuration;
    private readonly TableReadiness _readiness;

    public TableNotificationLedger(IOptions<LedgerOptions> options, TimeProvider timeProvider, ILogger<TableNotificationLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _table = LedgerTable.CreateClient(options.Value);
        _leaseDuration = options.Value.LeaseDuration;
        _timeProvider = timeProvider;
        _logger = logger;
        _readiness = new TableReadiness(_table, () => logger.TableReady(_table.Name), status => logger.TableCreationForbidden(_table.Name, status));
    }

    public string TableName => _table.Name;

    public Task<LedgerClaim> ClaimAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        return WithStorageAsync("claim", ct => ClaimCoreAsync(messageId, changeKey, ct), LedgerClaim.Unavailable, cancellationToken);
    }

    public Task<LedgerClaim?> PeekFinalAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageId);
        var key = changeKey is null ? LedgerKey.ForMessage(messageId) : LedgerKey.ForChange(changeKey);
        return WithStorageAsync<LedgerClaim?>(
            "peek",
            async ct => await ReadAsync(key, ct) is { Row.IsFinal: true } entry ? entry.Row.Blocks(_timeProvider.GetUtcNow()) : null,
            null,
            cancellationToken);
    }

    public Task<LedgerWriteResult> MarkSentAsync(LedgerLease lease, string providerMessageId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrEmpty(providerMessageId);
        return WithStorageAsync("mark-sent", ct => MarkSentCoreAsync(lease, providerMessageId, ct), LedgerWriteResult.Unavailable, cancellationToken);
    }

    public Task<LedgerWriteResult> MarkRejectedAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        return WithStorageAsync(
            "mark-rejected", ct => ReplaceOwnAsync(lease, row => row.Rejected(errorCode, _timeProvider.GetUtcNow()), ct), LedgerWriteResult.Unavailable, cancellationToken);
    }

    public Task<LedgerWriteResult> ReleaseAsync(LedgerLease lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return WithStorageAsync(
            "release", ct => ReplaceOwnAsync(lease, row => row.Released(_timeProvider.GetUtcNow()), ct), LedgerWriteResult.Unavailable, cancellationToken);
    }

    public Task<LedgerWriteResult> ReleaseForRepeatAsync(LedgerLease lease, UncertainSend repeat, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(repeat);
        return WithStorageAsync(
            "release-for-repeat", ct => ReplaceOwnAsync(lease, row => row.Released(_timeProvider.GetUtcNow()) with { Pending = repeat }, ct),
            LedgerWriteResult.Unavailable, cancellationToken);
    }

    public Task<LedgerWriteResult> MarkUncertainAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentException.ThrowIfNullOrEmpty(errorCode);
        return WithStorageAsync(
            "mark-uncertain", ct => ReplaceOwnAsync(lease, row => row.Uncertain(errorCode, _timeProvider.GetUtcNow()), ct), LedgerWriteResult.Unavailable, cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        await _readiness.EnsureAsync(cancellationToken);
        var deleted = 0;
        var old = _table.QueryAsync<TableEntity>(
            TableClient.CreateQueryFilter($"UpdatedAt lt {olderThan}"), maxPerPage: 1000, select: ["PartitionKey", "RowKey"], cancellationToken);
        await foreach (var entity in old)
        {
            try
            {
                await _table.DeleteEntityAsync(entity.PartitionKey, entity.RowKey, entity.ETag, cancellationToken);
                deleted++;
            }
            catch (RequestFailedException e) when (e.Status is 404 or 412)
            {
                // Gone, or written again since the query: no longer old.
            }
        }

        return deleted;
    }

    /// <summary>Creates the table if it is missing; false (logged) when storage cannot be reached, so the host still starts.</summary>
    public async Task<bool> TryCreateTableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _readiness.EnsureAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (LedgerTable.IsStorageFailure(e, cancellationToken))
        {
            LogStorageFailure("create-table", e);
            _logger.TableNotCreatedAtStart(_table.Name);
            return false;
        }
    }

    /// <summary>
    /// The health endpoint's check: one point read of a row that never exists proves that storage, the identity and
    /// the table answer. Null when they do; otherwise the status and error code (never a connection string).
    /// </summary>
    public async Task<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _readiness.EnsureAsync(cancellationToken);
            await _table.GetEntityIfExistsAsync<TableEntity>("health", "probe", select: ["PartitionKey"], cancellationToken);
            return null;
        }
        catch (Exception e) when (LedgerTable.IsStorageFailure(e, cancellationToken))
        {
            LogStorageFailure("health-probe", e);
            return e is RequestFailedException failed
                ? string.Create(CultureInfo.InvariantCulture, $"Table storage answered {failed.Status} {failed.ErrorCode}")
                : "Table storage could not be reached (" + e.GetType().Name + ")";
        }
    }

    public void Dispose() => _readiness.Dispose();

    /// <summary>Whether the SDK accepts <paramref name="connectionString"/>; checked at start, without any network call.</summary>
    internal static bool IsConnectionString(string connectionString)
    {
        try
        {
            _ = new TableClient(connectionString, "validation");
            return true;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or InvalidOperationException or UriFormatException)
        {
            return false;
        }
    }

    private async Task<LedgerClaim> ClaimCoreAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken)
    {
        var messageKey = LedgerKey.ForMessage(messageId);
        if (changeKey is not null &&
            await ReadAsync(messageKey, cancellationToken) is { } earlier &&
            earlier.Row.Blocks(_timeProvider.GetUtcNow()) is { } answered)
        {
            return answered;
        }

        var key = changeKey is null ? messageKey : LedgerKey.ForChange(changeKey);
        var mine = LedgerRow.Claimed(messageId, changeKey?.ToString(), 1, _timeProvider.GetUtcNow(), _leaseDuration);
        for (var race = 0; race < MaxRaces; race++)
        {
            if (await TryInsertAsync(key, mine, cancellationToken) is { } inserted)
            {
                return Claimed(key, inserted, mine, changeKey);
            }

            if (await ReadAsync(key, cancellationToken) is not { } existing)
            {
                continue;
            }

            if (existing.Row.IsClaimedBy(mine.ClaimId))
            {
                // Our own write, applied by the service although its answer was lost and the SDK retried.
                return Claimed(key, existing.ETag, existing.Row, changeKey);
            }

            var now = _timeProvider.GetUtcNow();
            if (Blocks(key, existing.Row, now) is { } blocking)
            {
                return blocking;
            }

            mine = LedgerRow.Claimed(messageId, changeKey?.ToString(), existing.Row.Attempt + 1, now, _leaseDuration, existing.Row.Pending);
            if (await TryReplaceAsync(key, mine, existing.ETag, cancellationToken) is { } replaced)
            {
                _logger.ClaimTakenOver(key.RowKey, messageId, mine.Attempt);
                return Claimed(key, replaced, mine, changeKey);
            }
        }

        return LedgerClaim.InProgress(null, null);
    }

    private async Task<LedgerWriteResult> MarkSentCoreAsync(LedgerLease lease, string providerMessageId, CancellationToken cancellationToken)
    {
        var current = LedgerRow.Of(lease, _timeProvider.GetUtcNow());
        ETag? version = new ETag(lease.Version);
        for (var race = 0; race <= MaxRaces; race++)
        {
            var sent = current.Sent(lease, providerMessageId, _timeProvider.GetUtcNow());
            var written = version is { } ifMatch
                ? await TryReplaceAsync(lease.Key, sent, ifMatch, cancellationToken)
                : await TryInsertAsync(lease.Key, sent, cancellationToken);
            if (written is not null)
            {
                if (race > 0)
                {
                    _logger.SentAfterLeaseLost(lease.MessageId);
                }

                await TryWriteMessageEntryAsync(lease, sent, cancellationToken);
                return LedgerWriteResult.Recorded;
            }

            // The lease was taken over (or the entry purged): a sent mail is still a fact, so record it over whatever is there.
            var read = await ReadAsync(lease.Key, cancellationToken);
            if (read is { Row.State: LedgerState.Sent } done)
            {
                if (done.Row.ClaimId != lease.ClaimId)
                {
                    _logger.SentAfterLeaseLost(lease.MessageId);
                }

                await TryWriteMessageEntryAsync(lease, done.Row, cancellationToken);
                return LedgerWriteResult.Recorded;
            }

            current = read?.Row ?? current;
            version = read?.ETag;
        }

        return LedgerWriteResult.Unavailable;
    }

    private async Task<LedgerWriteResult> ReplaceOwnAsync(LedgerLease lease, Func<LedgerRow, LedgerRow> change, CancellationToken cancellationToken)
    {
        var changed = change(LedgerRow.Of(lease, _timeProvider.GetUtcNow()));
        if (await TryReplaceAsync(lease.Key, changed, new ETag(lease.Version), cancellationToken) is null)
        {
            return LedgerWriteResult.ClaimLost;
        }

        if (changed.IsFinal)
        {
            await TryWriteMessageEntryAsync(lease, changed, cancellationToken);
        }

        return LedgerWriteResult.Recorded;
    }

    /// <summary>
    /// Once a change entry is final, the delivery's MessageId entry is written as a copy, so a retry of that delivery is
    /// answered by one read. The change entry stays the authority: if this write fails (or the process dies first), a
    /// retry simply finds the change entry, so the failure is only logged.
    /// </summary>
    private async Task TryWriteMessageEntryAsync(LedgerLease lease, LedgerRow final, CancellationToken cancellationToken)
    {
        if (!lease.Key.IsChange)
        {
            return;
        }

        try
        {
            await _table.UpsertEntityAsync(ToEntity(LedgerKey.ForMessage(lease.MessageId), final), TableUpdateMode.Replace, cancellationToken);
        }
        catch (Exception e) when (LedgerTable.IsStorageFailure(e, cancellationToken))
        {
            _logger.MessageEntryNotWritten(lease.MessageId, e);
        }
    }

    private LedgerClaim? Blocks(LedgerKey key, LedgerRow row, DateTimeOffset now)
    {
        if (row.State == LedgerState.Unknown)
        {
            _logger.UnknownState(key.RowKey);
        }

        return row.Blocks(now);
    }

    private static LedgerClaim Claimed(LedgerKey key, ETag version, LedgerRow row, ChangeKey? changeKey) =>
        LedgerClaim.Claimed(new LedgerLease(key, version.ToString(), row.ClaimId, row.MessageId, changeKey, row.Attempt, row.LeaseExpiresAt, row.Pending));

    private async Task<(LedgerRow Row, ETag ETag)?> ReadAsync(LedgerKey key, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } entity ? (FromEntity(entity), entity.ETag) : null;
    }

    /// <summary>The new ETag, or null when the entry already exists.</summary>
    private async Task<ETag?> TryInsertAsync(LedgerKey key, LedgerRow row, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.AddEntityAsync(ToEntity(key, row), cancellationToken);
            return response.Headers.ETag ?? throw new InvalidOperationException("Table storage returned no ETag for an insert.");
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == TableErrorCode.EntityAlreadyExists)
        {
            return null;
        }
    }

    /// <summary>The new ETag, or null when the entry changed since <paramref name="ifMatch"/> or is gone.</summary>
    private async Task<ETag?> TryReplaceAsync(LedgerKey key, LedgerRow row, ETag ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            var response = await _table.UpdateEntityAsync(ToEntity(key, row), ifMatch, TableUpdateMode.Replace, cancellationToken);
            return response.Headers.ETag ?? throw new InvalidOperationException("Table storage returned no ETag for an update.");
        }
        catch (RequestFailedException e) when (e.Status == 412 || (e.Status == 404 && e.ErrorCode != TableErrorCode.TableNotFound))
        {
            return null;
        }
    }

    private async Task<T> WithStorageAsync<T>(string operation, Func<CancellationToken, Task<T>> action, T unavailable, CancellationToken cancellationToken)
    {
        try
        {
            return await _readiness.RunAsync(action, () => _logger.TableMissing(_table.Name), cancellationToken);
        }
        catch (Exception e) when (LedgerTable.IsStorageFailure(e, cancellationToken))
        {
            LogStorageFailure(operation, e);
            return unavailable;
        }
    }

    private void LogStorageFailure(string operation, Exception exception)
    {
        var failed = exception as RequestFailedException ??
            (exception as AggregateException)?.InnerExceptions.OfType<RequestFailedException>().LastOrDefault();
        var status = failed?.Status ?? 0;
        if (status is >= 400 and < 500 and not 408 and not 429)
        {
            _logger.StorageRefused(operation, status, failed?.ErrorCode, exception);
        }
        else
        {
            _logger.StorageUnavailable(operation, status, failed?.ErrorCode, exception);
        }
    }

    private static TableEntity ToEntity(LedgerKey key, LedgerRow row)
    {
        var entity = new TableEntity(key.PartitionKey, key.RowKey)
        {
            ["State"] = row.State.ToString(),
            ["ClaimId"] = row.ClaimId,
            ["MessageId"] = LedgerTable.Stored(row.MessageId),
            ["Attempt"] = row.Attempt,
            ["LeaseExpiresAt"] = row.LeaseExpiresAt,
            ["UpdatedAt"] = row.UpdatedAt,
        };
        AddIfPresent(entity, "ChangeKey", LedgerTable.Stored(row.ChangeKey));
        AddIfPresent(entity, "ProviderMessageId", LedgerTable.Stored(row.ProviderMessageId));
        AddIfPresent(entity, "ErrorCode", LedgerTable.Stored(row.ErrorCode));
        AddIfPresent(entity, "CompletedAt", row.CompletedAt);
        AddIfPresent(entity, "PendingAttempt", row.Pending?.Attempt);
        AddIfPresent(entity, "PendingFirstSentAt", row.Pending?.FirstSentAt);
        return entity;
    }

    private static LedgerRow FromEntity(TableEntity entity) => new(
        Enum.TryParse<LedgerState>(entity.GetString("State"), out var state) && Enum.IsDefined(state) ? state : LedgerState.Unknown,
        entity.GetString("ClaimId") ?? string.Empty,
        entity.GetString("MessageId") ?? string.Empty,
        entity.GetString("ChangeKey"),
        entity.GetInt32("Attempt") ?? 1,
        entity.GetDateTimeOffset("LeaseExpiresAt") ?? DateTimeOffset.MinValue,
        entity.GetString("ProviderMessageId"),
        entity.GetString("ErrorCode"),
        entity.GetDateTimeOffset("CompletedAt"),
        entity.GetDateTimeOffset("UpdatedAt") ?? DateTimeOffset.MinValue,
        entity.GetInt32("PendingAttempt") is { } pendingAttempt && entity.GetDateTimeOffset("PendingFirstSentAt") is { } firstSentAt
            ? new UncertainSend(pendingAttempt, firstSentAt)
            : null);

    private static void AddIfPresent(TableEntity entity, string name, object? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }
}
