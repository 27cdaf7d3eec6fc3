using Microsoft.Extensions.Logging;

namespace SgNotifier.Core.Senders;

/// <summary>E-mail log events, 3000–3099. Recipients appear only masked (<c>d***@example.com</c>); never bodies or keys.</summary>
internal static partial class EmailLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Mail accepted by {Provider} as {ProviderMessageId} for {RecipientCount} recipient(s): {MaskedRecipients}")]
    public static partial void MailAccepted(this ILogger logger, string provider, string providerMessageId, int recipientCount, string maskedRecipients);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error,
        Message = "Mail refused for good by {Provider}: {ErrorCode} (HTTP {StatusCode}); retrying cannot help")]
    public static partial void MailRefused(this ILogger logger, string provider, string errorCode, int statusCode);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Mail not sent by {Provider} for now: {ErrorCode} (HTTP {StatusCode}); the delivery should be retried")]
    public static partial void MailDeferred(this ILogger logger, string provider, string errorCode, int statusCode);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Mail not sent by {Provider} for now: {ErrorCode}; the delivery should be retried")]
    public static partial void MailTransportFailed(this ILogger logger, string provider, string errorCode, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "{Provider} error detail: {Detail}")]
    public static partial void ProviderErrorDetail(this ILogger logger, string provider, string detail);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "ACS operation {OperationId} finished: {Status}")]
    public static partial void AcsOperationFinished(this ILogger logger, string operationId, string status);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning,
        Message = "ACS operation {OperationId} finished: {Status} with error {ErrorCode}")]
    public static partial void AcsOperationFailed(this ILogger logger, string operationId, string status, string errorCode);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information,
        Message = "ACS operation {OperationId} still {Status} after the poll budget; the mail was accepted")]
    public static partial void AcsOperationPending(this ILogger logger, string operationId, string status);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Polling ACS operation {OperationId} failed: {Reason}")]
    public static partial void AcsPollFailed(this ILogger logger, string operationId, string reason);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Mail written to the outbox as {FileName} for {RecipientCount} recipient(s): {MaskedRecipients}")]
    public static partial void OutboxWritten(this ILogger logger, string fileName, int recipientCount, string maskedRecipients);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "Writing to the outbox {Directory} failed: {ErrorCode}")]
    public static partial void OutboxFailed(this ILogger logger, string directory, string errorCode, Exception exception);
}
