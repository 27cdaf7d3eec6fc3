namespace SgNotifier.Core;

/// <summary>Stable reason codes of the sending stage (README "Reason codes"), for decisions to notify.</summary>
public static class NotifyReasons
{
    /// <summary>200: the provider accepted the mail and the ledger recorded it.</summary>
    public const string Sent = "sent";

    /// <summary>200: the ledger says this change (or this MessageId) was already mailed.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>200: the provider refused this change's mail before; it is not tried again.</summary>
    public const string AlreadyRejected = "already-rejected";

    /// <summary>200: the provider refused the mail for good (rejected, unverified sender, suspended); logged as an error.</summary>
    public const string SendRejected = "send-rejected";

    /// <summary>503: the provider failed transiently (throttling, 5xx, timeout); the claim was released.</summary>
    public const string SendFailed = "send-failed";

    /// <summary>503: another delivery holds a live claim on this change.</summary>
    public const string InProgress = "in-progress";

    /// <summary>503: the ledger could not be reached; nothing was sent.</summary>
    public const string LedgerUnavailable = "ledger-unavailable";

    /// <summary>503: no send permit within the budget under <c>Email:MaxSendsPerSecond</c>.</summary>
    public const string RateLimited = "rate-limited";

    /// <summary>503: S3 or EC2 failed transiently while reading an oversized item.</summary>
    public const string AwsUnavailable = "aws-unavailable";

    /// <summary>503: CloudTrail has no event for the change yet and <c>Aws:ActorWait</c> has not passed since the capture time.</summary>
    public const string ActorPending = "actor-pending";
}
