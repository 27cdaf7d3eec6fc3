using System.Collections.Concurrent;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Change coverage in the ledger's own table: one row per atom (PartitionKey the hash of the atom, RowKey <c>atom</c>)
/// holding its newest reports as JSON, the atom's text for people, and <c>UpdatedAt</c>, so the ledger's daily purge
/// deletes old atom rows with its own.
/// </summary>
/// <remarks>
/// A report is added with the ledger's protocol: insert-if-absent, else replace conditional on the ETag just read
/// (409 or 412 = someone else wrote first: read again and merge), so two sources recording one atom at once both stay.
/// Every call is bounded: at most <see cref="AtomReports.MaxAtomsPerCall"/> atoms (the rest count as uncovered), eight
/// requests at once, and a few seconds in all, because the delivery must answer SNS in about 15 s.
/// </remarks>
public sealed class TableChangeCoverage : IChangeCoverage
{
    private const int MaxConcurrentRequests = 8;

    // A lost race is re-read and merged again; more than a few in a row means heavy contention: give up, logged.
    private const int MaxRaces = 3;

    private static readonly TimeSpan DefaultCallBudget = TimeSpan.FromSeconds(4);

    private readonly TableClient _table;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TableChangeCoverage> _logger;
    private readonly TimeSpan _callBudget;

    public TableChangeCoverage(IOptions<LedgerOptions> options, TimeProvider timeProvider, ILogger<TableChangeCoverage> logger)
        : this(options, timeProvider, logger, DefaultCallBudget)
    {
    }

    internal TableChangeCoverage(IOptions<LedgerOptions> options, TimeProvider timeProvider, ILogger<TableChangeCoverage> logger, TimeSpan callBudget)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _table = LedgerTable.CreateClient(options.Value);
        _timeProvider = timeProvider;
        _logger = logger;
        _callBudget = callBudget;
    }

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<AtomReport>>?> FindAsync(IReadOnlyCollection<string> atoms, CancellationToken cancellationToken)
    {
        var selected = Select("find", atoms);
        var found = new ConcurrentDictionary<string, IReadOnlyList<AtomReport>>(StringComparer.Ordinal);
        if (selected.Count == 0)
        {
            return found;
        }

        try
        {
            await ForEachAsync(selected, async (atom, ct) =>
            {
                if (await ReadAsync(LedgerKey.ForAtom(atom), ct) is { Reports.Count: > 0 } row)
                {
                    found[atom] = row.Reports;
                }
            }, cancellationToken);
            return found;
        }
        catch (Exception e) when (LedgerTable.IsStorageFailure(e, cancellationToken))
        {
            // Nothing could be read, so nothing is covered. (A missing table is no failure: a point read answers "absent".)
            LogUnavailable("find", selected.Count, "treated as not covered", e);
            return null;
        }
    }

    public async Task RecordAsync(IReadOnlyCollection<string> atoms, AtomReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var selected = Select("record", atoms);
        if (selected.Count == 0)
        {
            return;
        }

        try
        {
            try
            {
                await ForEachAsync(selected, (atom, ct) => new ValueTask(RecordOneAsync(atom, report, ct)), cancellationToken);
            }
            catch (RequestFailedException e) when (e.Status == 404 && e.ErrorCode == TableErrorCode.TableNotFound)
            {
                // Deleted by someone, or an emulator restarted without persistence: create it again, once. Atoms
                // already written are found holding this report and left alone.
                await _table.CreateIfNotExistsAsync(cancellationToken);
                await ForEachAsync(selected, (atom, ct) => new ValueTask(RecordOneAsync(atom, report, ct)), cancellationToken);
            }

            _logger.CoverageRecorded(selected.Count, report.Source.Name(), string.Join(',', AtomReports.Normalize(report).EventIds));
        }
        catch (Exception e) when (LedgerTable.IsStorageFailure(e, cancellationToken))
        {
            LogUnavailable("record", selected.Count, "the other source may mail these facts again", e);
        }
    }

    private List<string> Select(string operation, IReadOnlyCollection<string> atoms)
    {
        var selected = AtomReports.Select(atoms, out var requested);
        if (requested > selected.Count)
        {
            _logger.CoverageAtomsLimited(operation, requested, AtomReports.MaxAtomsPerCall);
        }

        return selected;
    }

    private async Task ForEachAsync(List<string> atoms, Func<string, CancellationToken, ValueTask> action, CancellationToken cancellationToken)
    {
        using var budget = new CancellationTokenSource(_callBudget, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, budget.Token);
        var options = new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentRequests, CancellationToken = linked.Token };
        await Parallel.ForEachAsync(atoms, options, action);
    }

    private async Task RecordOneAsync(string atom, AtomReport report, CancellationToken cancellationToken)
    {
        var key = LedgerKey.ForAtom(atom);
        if (await TryInsertAsync(key, atom, AtomReports.Merge([], report)!, cancellationToken))
        {
            return;
        }

        for (var race = 0; race < MaxRaces; race++)
        {
            var existing = await ReadAsync(key, cancellationToken);
            if (existing is null)
            {
                // Purged since the insert failed.
                if (await TryInsertAsync(key, atom, AtomReports.Merge([], report)!, cancellationToken))
                {
                    return;
                }

                continue;
            }

            if (AtomReports.Merge(existing.Value.Reports, report) is not { } merged)
            {
                return;
            }

            if (await TryReplaceAsync(key, atom, merged, existing.Value.ETag, cancellationToken))
            {
                return;
            }
        }

        _logger.CoverageRaceLost(key.PartitionKey, MaxRaces);
    }

    private async Task<(IReadOnlyList<AtomReport> Reports, ETag ETag)?> ReadAsync(LedgerKey key, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, ["Reports"], cancellationToken);
        if (!response.HasValue || response.Value is not { } entity)
        {
            return null;
        }

        if (AtomReports.FromJson(entity.GetString("Reports")) is { } reports)
        {
            return (reports, entity.ETag);
        }

        _logger.CoverageRowUnreadable(key.PartitionKey);
        return ([], entity.ETag);
    }

    private async Task<bool> TryInsertAsync(LedgerKey key, string atom, IReadOnlyList<AtomReport> reports, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(ToEntity(key, atom, reports), cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == TableErrorCode.EntityAlreadyExists)
        {
            return false;
        }
    }

    private async Task<bool> TryReplaceAsync(LedgerKey key, string atom, IReadOnlyList<AtomReport> reports, ETag ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(ToEntity(key, atom, reports), ifMatch, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412 || (e.Status == 404 && e.ErrorCode != TableErrorCode.TableNotFound))
        {
            return false;
        }
    }

    private TableEntity ToEntity(LedgerKey key, string atom, IReadOnlyList<AtomReport> reports) => new(key.PartitionKey, key.RowKey)
    {
        ["Atom"] = LedgerTable.Stored(atom),
        ["Reports"] = AtomReports.ToJson(reports),

        // The ledger's purge deletes every row of its table last written before the retention (LedgerPurger).
        ["UpdatedAt"] = _timeProvider.GetUtcNow(),
    };

    private void LogUnavailable(string operation, int atomCount, string consequence, Exception exception)
    {
        var (status, errorCode) = LedgerTable.Describe(exception);
        _logger.CoverageUnavailable(operation, atomCount, status, errorCode, consequence, exception);
    }
}
