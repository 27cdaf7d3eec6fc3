using Microsoft.Extensions.Logging;

namespace SgNotifier.Core;

/// <summary>
/// Every log line of SgNotifier.Core, with stable event ids by stage: 1xxx SNS, 2xxx Config and routing,
/// 3xxx e-mail, 4xxx ledger. Message bodies, tokens, keys and full addresses are never logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "SNS delivery {Outcome} ({Reason}) message {MessageId} topic {TopicArn}")]
    public static partial void DeliveryAccepted(this ILogger logger, string outcome, string reason, string? messageId, string? topicArn);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "SNS delivery malformed ({Reason}): {Detail}")]
    public static partial void DeliveryMalformed(this ILogger logger, string reason, string detail);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "SNS delivery rejected ({Reason}) message {MessageId} topic {TopicArn}")]
    public static partial void DeliveryRejected(this ILogger logger, string reason, string? messageId, string? topicArn);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "SNS delivery deferred for retry ({Reason}) message {MessageId} topic {TopicArn}")]
    public static partial void DeliveryRetry(this ILogger logger, string reason, string? messageId, string? topicArn);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Signing certificate {CertificateFile} unavailable: {Detail}")]
    public static partial void CertificateUnavailable(this ILogger logger, string certificateFile, string detail);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Signing certificate {CertificateFile} invalid: {Detail}")]
    public static partial void CertificateInvalid(this ILogger logger, string certificateFile, string detail);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Subscription to {TopicArn} confirmed")]
    public static partial void SubscriptionConfirmed(this ILogger logger, string topicArn);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "SNS refused to confirm the subscription to {TopicArn}: HTTP {StatusCode}")]
    public static partial void SubscriptionConfirmFailed(this ILogger logger, string topicArn, int statusCode);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "SNS unreachable while confirming the subscription to {TopicArn}: {Error}")]
    public static partial void SubscriptionConfirmUnavailable(this ILogger logger, string topicArn, string error);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Warning, Message = "Unsubscribed from {TopicArn}: no more security-group changes will arrive from it")]
    public static partial void UnsubscribeConfirmationReceived(this ILogger logger, string topicArn);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "Sns:AllowedTopicArns is empty: every SNS message will be rejected (topic-not-allowed)")]
    public static partial void NoAllowedTopics(this ILogger logger);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Sns:VerifySignatures is false (Development): SNS signatures are NOT checked")]
    public static partial void SignaturesNotVerified(this ILogger logger);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Change {ChangeKey} mailed through {Provider} as {ProviderMessageId} to {RecipientCount} recipient(s)")]
    public static partial void ChangeMailed(this ILogger logger, string? changeKey, string provider, string? providerMessageId, int recipientCount);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Change {ChangeKey}: {Provider} failed transiently ({ErrorCode}); claim released, SNS will deliver again")]
    public static partial void SendDeferred(this ILogger logger, string? changeKey, string provider, string? errorCode);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Change {ChangeKey}: {Provider} refused the mail for good ({ErrorCode})")]
    public static partial void SendRejected(this ILogger logger, string? changeKey, string provider, string? errorCode, string? detail);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Message {MessageId} was mailed through {Provider} but the ledger could not record it: a redelivery may mail it again")]
    public static partial void SentButNotRecorded(this ILogger logger, string messageId, string provider);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Change {ChangeKey}: delivery failure reported to the fallback recipients ({Status})")]
    public static partial void FailureReported(this ILogger logger, string? changeKey, string status);
}
