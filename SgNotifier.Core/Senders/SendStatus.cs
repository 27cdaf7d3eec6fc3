namespace SgNotifier.Core.Senders;

public enum SendStatus
{
    /// <summary>The provider accepted the mail.</summary>
    Sent,

    /// <summary>The provider did not take the mail (throttled, unavailable, not reachable, credentials or access not ready): SNS should retry the delivery.</summary>
    Transient,

    /// <summary>The provider refused the mail for good (rejected, bad request).</summary>
    Permanent,

    /// <summary>
    /// The request went out but its answer never came (timed out, connection lost, a gateway error): the provider may
    /// have accepted the mail. Resent only as a repeat the provider recognises (<see cref="SendResult.Repeat"/>).
    /// </summary>
    Uncertain,
}
