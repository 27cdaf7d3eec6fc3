namespace SgNotifier.Core.Senders;

public enum SendStatus
{
    /// <summary>The provider accepted the mail.</summary>
    Sent,

    /// <summary>Throttling, 5xx, timeout or connection failure: SNS should retry the delivery.</summary>
    Transient,

    /// <summary>The provider refused the mail for good (rejected, unverified sender, suspended, bad request).</summary>
    Permanent,
}
