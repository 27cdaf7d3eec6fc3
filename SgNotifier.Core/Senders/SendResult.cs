namespace SgNotifier.Core.Senders;

/// <param name="ProviderMessageId">The provider's id for an accepted mail (SES MessageId, ACS operation id, outbox file name).</param>
/// <param name="ErrorCode">The provider's error code for a failure, e.g. <c>MessageRejected</c> or <c>TooManyRequests</c>.</param>
/// <param name="Reason">For a transient failure: the reason code the delivery answers with (<see cref="NotifyReasons"/>).</param>
/// <param name="Repeat">For an uncertain send: how to repeat it so that the provider recognises it as the same request; null when it cannot be repeated safely.</param>
public sealed record SendResult(
    SendStatus Status, string? ProviderMessageId, string? ErrorCode, string? Detail, string? Reason = null, UncertainSend? Repeat = null)
{
    public static SendResult Sent(string providerMessageId) => new(SendStatus.Sent, providerMessageId, null, null);

    public static SendResult Transient(string errorCode, string detail, string reason = NotifyReasons.SendFailed) =>
        new(SendStatus.Transient, null, errorCode, detail, reason);

    public static SendResult Permanent(string errorCode, string detail) => new(SendStatus.Permanent, null, errorCode, detail);

    public static SendResult Uncertain(string errorCode, string detail, UncertainSend? repeat) =>
        new(SendStatus.Uncertain, null, errorCode, detail, NotifyReasons.SendUncertain, repeat);
}
