using Microsoft.Extensions.Logging;

namespace SgNotifier.Core.Ledger;

/// <summary>Ledger log events, ids 4000-4099. MessageIds and change keys are AWS identifiers, not secrets; connection strings are never logged.</summary>
internal static partial class LedgerLog
{
    [LoggerMessage(4000, LogLevel.Information, "Ledger entry ({Kind}) of message {MessageId} taken over after a released or expired claim; attempt {Attempt}")]
    public static partial void ClaimTakenOver(this ILogger logger, string kind, string messageId, int attempt);

    [LoggerMessage(4001, LogLevel.Warning, "Message {MessageId} was sent after its lease had been lost; recorded as sent, another delivery may have sent it too")]
    public static partial void SentAfterLeaseLost(this ILogger logger, string messageId);

    [LoggerMessage(4002, LogLevel.Warning, "Could not write the message entry of {MessageId} after its change entry was final; retries of it will use the change entry")]
    public static partial void MessageEntryNotWritten(this ILogger logger, string messageId, Exception exception);

    [LoggerMessage(4003, LogLevel.Warning, "Ledger storage unavailable during {Operation}: status {Status}, error code {ErrorCode}")]
    public static partial void StorageUnavailable(this ILogger logger, string operation, int status, string? errorCode, Exception exception);

    [LoggerMessage(4004, LogLevel.Error, "Ledger storage refused {Operation}: status {Status}, error code {ErrorCode}; check the identity's permissions and Ledger settings")]
    public static partial void StorageRefused(this ILogger logger, string operation, int status, string? errorCode, Exception exception);

    [LoggerMessage(4005, LogLevel.Information, "Ledger table {TableName} is ready")]
    public static partial void TableReady(this ILogger logger, string tableName);

    [LoggerMessage(4006, LogLevel.Warning, "Ledger table {TableName} could not be created at start; the first ledger call will try again")]
    public static partial void TableNotCreatedAtStart(this ILogger logger, string tableName);

    [LoggerMessage(4007, LogLevel.Warning, "Ledger table {TableName} disappeared; creating it again")]
    public static partial void TableMissing(this ILogger logger, string tableName);

    [LoggerMessage(4008, LogLevel.Warning, "Not allowed to create ledger table {TableName} (status {Status}); assuming it exists")]
    public static partial void TableCreationForbidden(this ILogger logger, string tableName, int status);

    [LoggerMessage(4009, LogLevel.Warning, "The in-memory ledger is in use: duplicates are recognised only within this process and until it stops; configure Table storage for anything but a local single-process run")]
    public static partial void MemoryLedgerInUse(this ILogger logger);

    [LoggerMessage(4010, LogLevel.Information, "Purged {Count} ledger entries last written before {OlderThan:O}")]
    public static partial void Purged(this ILogger logger, int count, DateTimeOffset olderThan);

    [LoggerMessage(4011, LogLevel.Warning, "Ledger entry ({Kind}) holds an unknown state; treated as in progress")]
    public static partial void UnknownState(this ILogger logger, string kind);
}
