namespace SgNotifier.Core.Senders;

/// <param name="ProviderMessageId">The provider's id for an accepted mail (SES MessageId, ACS operation id, outbox file name).</param>
/// <param name="ErrorCode">The provider's error code for a failure, e.g. <c>MessageRejected</c> or <c>TooManyRequests</c>.</param>
public sealed record SendResult(SendStatus Status, string? ProviderMessageId, string? ErrorCode, string? Detail)
{
    public static SendResult Sent(string providerMessageId) => new(SendStatus.Sent, providerMessageId, null, null);

    public static SendResult Transient(string errorCode, string detail) => new(SendStatus.Transient, null, errorCode, detail);

    public static SendResult Permanent(string errorCode, string detail) => new(SendStatus.Permanent, null, errorCode, detail);
}
