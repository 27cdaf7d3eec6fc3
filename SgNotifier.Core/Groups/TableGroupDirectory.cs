using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Groups;

/// <summary>
/// The group directory in Azure Table Storage (<c>Ledger:GroupTableName</c>, beside the ledger's table), shared by
/// every instance. One entity per group: a PartitionKey hashed from (account, region, group id) like the ledger's,
/// RowKey <c>group</c>; readable properties for people, the tags as JSON, and the rules as gzip-compressed JSON split
/// across binary properties (Table allows 64 KiB per property and 1 MiB per entity; 1,000 rules take ~20 KiB).
/// Writes are insert-if-absent or replace-if-match on the ETag read, re-read and merged again on a lost race
/// (<see cref="GroupEntry"/> holds the merge rules). Storage trouble is logged and answered within
/// <see cref="OperationBudget"/>: <see cref="GetAsync"/> → null, <see cref="RememberAsync"/> returns normally.
/// </summary>
public sealed class TableGroupDirectory : IGroupDirectory, IDisposable
{
    internal const int MaxRulePartBytes = 64 * 1024;
    internal const int MaxRuleParts = 12;

    // Table string properties hold 32 Ki UTF-16 characters; the people's columns are cut well inside.
    internal const int MaxTagsJsonLength = 30_000;

    // A delivery must answer SNS in ~15 s and the directory only improves a mail: a few seconds per call, whatever the retries.
    internal static readonly TimeSpan OperationBudget = TimeSpan.FromSeconds(5);

    // A writer that loses a race lost it to a writer that then finished, so with n concurrent writers of one group
    // nobody loses more than n - 1 times: eight covers far more than one group's deliveries at once.
    internal const int MaxRaces = 8;
    private const string RulesFormat = "gzip-json-1";

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly TableClient _table;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<TableGroupDirectory> _logger;
    private readonly TableReadiness _readiness;

    public TableGroupDirectory(IOptions<LedgerOptions> options, TimeProvider timeProvider, ILogger<TableGroupDirectory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _table = LedgerTable.CreateClient(options.Value, options.Value.GroupTableName);
        _timeProvider = timeProvider;
        _logger = logger;
        _readiness = new TableReadiness(_table, () => logger.GroupTableReady(_table.Name), status => logger.GroupTableCreationForbidden(_table.Name, status));
    }

    public string TableName => _table.Name;

    public Task<GroupState?> GetAsync(string accountId, string region, string groupId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(accountId) || string.IsNullOrEmpty(region) || string.IsNullOrEmpty(groupId))
        {
            return Task.FromResult<GroupState?>(null);
        }

        var key = LedgerKey.ForGroup(accountId, region, groupId);
        return WithStorageAsync<GroupState?>("get", async ct => (await ReadAsync(key, ct))?.Entry?.State, null, cancellationToken);
    }

    public async Task RememberAsync(GroupState state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var bounded = GroupDirectoryLimits.Bound(state, out var rejected, out var rulesDropped);
        if (bounded is null)
        {
            _logger.GroupStateNotRemembered(GroupDirectoryLimits.ForLog(state.Group?.Id), GroupDirectoryLimits.ForLog(state.Origin), rejected!);
            return;
        }

        if (TagsJson(bounded.Tags).Length > MaxTagsJsonLength)
        {
            _logger.GroupStateNotRemembered(GroupDirectoryLimits.ForLog(bounded.Group.Id), bounded.Origin, $"the tags take more than {MaxTagsJsonLength} characters as JSON");
            return;
        }

        if (rulesDropped is null && bounded.Rules is { } rules && EncodeRules(rules) is null)
        {
            rulesDropped = $"the compressed rules exceed {MaxRuleParts} properties of {MaxRulePartBytes / 1024} KiB";
        }

        if (rulesDropped is not null)
        {
            _logger.GroupRulesNotStored(GroupDirectoryLimits.ForLog(bounded.Group.Id), bounded.Origin, rulesDropped);
            bounded = bounded with { Rules = null };
        }

        await WithStorageAsync("remember", ct => RememberCoreAsync(bounded, rulesDropped is not null, ct), false, cancellationToken);
    }

    /// <summary>Creates the table if it is missing; false (logged) when storage cannot be reached, so the host still starts.</summary>
    public async Task<bool> TryCreateTableAsync(CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(OperationBudget, _timeProvider);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            await _readiness.EnsureAsync(budget.Token);
            return true;
        }
        catch (Exception e) when (LedgerTable.IsStorageFailure(e, cancellationToken))
        {
            LogStorageFailure("create-table", e);
            _logger.GroupTableNotCreatedAtStart(_table.Name);
            return false;
        }
    }

    public void Dispose() => _readiness.Dispose();

    private async Task<bool> RememberCoreAsync(GroupState state, bool rulesUnknown, CancellationToken cancellationToken)
    {
        var key = LedgerKey.ForGroup(state.Group.AccountId, state.Group.Region, state.Group.Id);
        for (var race = 0; race < MaxRaces; race++)
        {
            var read = await ReadAsync(key, cancellationToken);
            if (GroupEntry.Merge(read?.Entry, state, rulesUnknown) is not { } merged)
            {
                return true;
            }

            var entity = ToEntity(key, merged);
            if (entity is null)
            {
                // Known rules, given ids from an older entry, no longer fit (they did before): unknown as of now.
                _logger.GroupRulesNotStored(GroupDirectoryLimits.ForLog(state.Group.Id), state.Origin, "the merged rules are too big to store");
                entity = ToEntity(key, merged with { State = merged.State with { Rules = null } })!;
            }

            if (read?.ETag is { } etag ? await TryReplaceAsync(entity, etag, cancellationToken) : await TryInsertAsync(entity, cancellationToken))
            {
                return true;
            }
        }

        _logger.GroupWriteContended(GroupDirectoryLimits.ForLog(state.Group.Id), state.Origin, MaxRaces);
        return false;
    }

    private async Task<(GroupEntry? Entry, ETag ETag)?> ReadAsync(LedgerKey key, CancellationToken cancellationToken)
    {
        var response = await _table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return response.HasValue && response.Value is { } entity ? (FromEntity(entity), entity.ETag) : null;
    }

    private async Task<bool> TryInsertAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            await _table.AddEntityAsync(entity, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 409 && e.ErrorCode == TableErrorCode.EntityAlreadyExists)
        {
            return false;
        }
    }

    private async Task<bool> TryReplaceAsync(TableEntity entity, ETag ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(entity, ifMatch, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 412 || (e.Status == 404 && e.ErrorCode != TableErrorCode.TableNotFound))
        {
            return false;
        }
    }

    private async Task<T> WithStorageAsync<T>(string operation, Func<CancellationToken, Task<T>> action, T unavailable, CancellationToken cancellationToken)
    {
        using var timer = new CancellationTokenSource(OperationBudget, _timeProvider);
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await _readiness.RunAsync(action, () => _logger.GroupTableMissing(_table.Name), budget.Token);
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
            _logger.GroupStorageRefused(operation, status, failed?.ErrorCode, exception);
        }
        else
        {
            _logger.GroupStorageUnavailable(operation, status, failed?.ErrorCode, exception);
        }
    }

    /// <summary>The entity, or null when the rules do not fit.</summary>
    private TableEntity? ToEntity(LedgerKey key, GroupEntry entry)
    {
        var state = entry.State;
        var entity = new TableEntity(key.PartitionKey, key.RowKey)
        {
            ["AccountId"] = state.Group.AccountId,
            ["Region"] = state.Group.Region,
            ["GroupId"] = state.Group.Id,
            ["Origin"] = state.Origin,
            ["ObservedAt"] = state.ObservedAt.ToUniversalTime(),
            ["ObservedAtTicks"] = state.ObservedAt.UtcTicks,
            ["Deleted"] = state.Deleted,
            ["Tags"] = TagsJson(state.Tags),
            ["UpdatedAt"] = _timeProvider.GetUtcNow(),
        };
        AddIfPresent(entity, "Name", state.Group.Name);
        AddIfPresent(entity, "VpcId", state.Group.VpcId);
        AddIfPresent(entity, "Arn", state.Group.Arn);
        if (entry.RulesObservedAt is { } rulesAt)
        {
            entity["RulesObservedAt"] = rulesAt.ToUniversalTime();
            entity["RulesObservedAtTicks"] = rulesAt.UtcTicks;
        }

        if (state.Rules is { } rules)
        {
            if (EncodeRules(rules) is not { } parts)
            {
                return null;
            }

            entity["RulesFormat"] = RulesFormat;
            entity["RuleCount"] = rules.Count;
            entity["RulesParts"] = parts.Count;
            for (var i = 0; i < parts.Count; i++)
            {
                entity["Rules" + i.ToString(CultureInfo.InvariantCulture)] = parts[i];
            }
        }

        return entity;
    }

    private GroupEntry? FromEntity(TableEntity entity)
    {
        var groupId = entity.GetString("GroupId") ?? string.Empty;
        if (entity.GetInt64("ObservedAtTicks") is not { } observedTicks || ReadTags(entity.GetString("Tags")) is not { } tags)
        {
            _logger.GroupRulesUnreadable(GroupDirectoryLimits.ForLog(groupId), "the entry has no readable time or tags");
            return null;
        }

        IReadOnlyList<IdentifiedRule>? rules = null;
        if (entity.GetInt32("RulesParts") is { } partCount)
        {
            var parts = new List<byte[]>(partCount);
            for (var i = 0; i < partCount && i < MaxRuleParts; i++)
            {
                parts.Add(entity.GetBinary("Rules" + i.ToString(CultureInfo.InvariantCulture)) ?? []);
            }

            rules = entity.GetString("RulesFormat") == RulesFormat ? DecodeRules(parts, out var problem) ?? Unreadable(groupId, problem) : Unreadable(groupId, "unknown format");
        }

        var state = new GroupState(
            new SecurityGroupIdentity(groupId, entity.GetString("Name"), entity.GetString("AccountId") ?? string.Empty, entity.GetString("Region") ?? string.Empty, entity.GetString("VpcId"), entity.GetString("Arn")),
            tags,
            rules,
            new DateTimeOffset(observedTicks, TimeSpan.Zero),
            entity.GetString("Origin") ?? string.Empty,
            entity.GetBoolean("Deleted") ?? false);
        var rulesAt = entity.GetInt64("RulesObservedAtTicks") is { } ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : (DateTimeOffset?)null;
        return new GroupEntry(state, rulesAt);
    }

    private List<IdentifiedRule>? Unreadable(string groupId, string? problem)
    {
        _logger.GroupRulesUnreadable(GroupDirectoryLimits.ForLog(groupId), problem ?? "unreadable");
        return null;
    }

    private static void AddIfPresent(TableEntity entity, string name, string? value)
    {
        if (value is not null)
        {
            entity[name] = value;
        }
    }

    private static string TagsJson(IReadOnlyDictionary<string, string> tags)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, JsonOptions))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in tags.OrderBy(static t => t.Key, StringComparer.Ordinal))
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static Dictionary<string, string>? ReadTags(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                tags[property.Name] = property.Value.GetString() ?? string.Empty;
            }

            return tags;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The compressed rules in parts of at most <see cref="MaxRulePartBytes"/>; null when they need more than <see cref="MaxRuleParts"/>.</summary>
    internal static List<byte[]>? EncodeRules(IReadOnlyList<IdentifiedRule> rules)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        using (var writer = new Utf8JsonWriter(gzip, JsonOptions))
        {
            writer.WriteStartArray();
            foreach (var (rule, ruleId) in rules)
            {
                writer.WriteStartObject();
                writer.WriteString("direction", rule.Direction == RuleDirection.Egress ? "egress" : "ingress");
                writer.WriteString("protocol", rule.Protocol);
                WriteNumber(writer, "fromPort", rule.FromPort);
                WriteNumber(writer, "toPort", rule.ToPort);
                writer.WriteString("peer", rule.Peer);
                if (rule.Description is not null)
                {
                    writer.WriteString("description", rule.Description);
                }

                if (ruleId is not null)
                {
                    writer.WriteString("ruleId", ruleId);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        var bytes = compressed.ToArray();
        if (bytes.Length > MaxRulePartBytes * MaxRuleParts)
        {
            return null;
        }

        return bytes.Chunk(MaxRulePartBytes).ToList();
    }

    internal static List<IdentifiedRule>? DecodeRules(IReadOnlyList<byte[]> parts, out string? problem)
    {
        problem = null;
        try
        {
            using var compressed = new MemoryStream(parts.SelectMany(static p => p).ToArray());
            using var gzip = new GZipStream(compressed, CompressionMode.Decompress);
            using var json = new MemoryStream();
            gzip.CopyTo(json);
            using var document = JsonDocument.Parse(json.ToArray());
            var rules = new List<IdentifiedRule>(document.RootElement.GetArrayLength());
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var direction = item.GetProperty("direction").GetString() switch
                {
                    "ingress" => RuleDirection.Ingress,
                    "egress" => RuleDirection.Egress,
                    _ => throw new InvalidDataException("unknown direction"),
                };
                rules.Add(new IdentifiedRule(
                    new SecurityGroupRule(
                        direction,
                        item.GetProperty("protocol").GetString() ?? throw new InvalidDataException("no protocol"),
                        ReadNumber(item, "fromPort"),
                        ReadNumber(item, "toPort"),
                        item.GetProperty("peer").GetString() ?? throw new InvalidDataException("no peer"),
                        item.TryGetProperty("description", out var description) ? description.GetString() : null),
                    item.TryGetProperty("ruleId", out var ruleId) ? ruleId.GetString() : null));
            }

            return rules;
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            problem = e.GetType().Name;
            return null;
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
    }

    private static int? ReadNumber(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.GetInt32() : null;
}
