namespace SgNotifier.Core.Senders;

/// <summary>Delivers one rendered mail through one provider. Expected failures are results, not exceptions.</summary>
public interface IEmailSender
{
    /// <summary>Short provider name for logs and notes: <c>outbox</c>, <c>ses</c>, <c>acs</c>.</summary>
    string Provider { get; }

    Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken cancellationToken);
}
