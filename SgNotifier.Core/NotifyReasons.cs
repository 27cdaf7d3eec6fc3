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

    /// <summary>503: the provider did not take the mail (throttling, unavailable, unreachable); the claim was released.</summary>
    public const string SendFailed = "send-failed";

    /// <summary>
    /// The send went out but its answer never came, so the provider may have accepted it. ACS: 503, and the redelivery
    /// repeats the same request, which ACS de-duplicates. SES (no idempotency): 200, reported, never resent.
    /// </summary>
    public const string SendUncertain = "send-uncertain";

    /// <summary>200: an earlier send of this change had an unknown fate and was reported; it is not sent again.</summary>
    public const string AlreadyUncertain = "already-uncertain";

    /// <summary>503: the provider refused our credentials or access (401/403, expired token, role not yet propagated); SNS retries, then dead-letters.</summary>
    public const string ProviderAuthFailed = "provider-auth-failed";

    /// <summary>503: no AWS credentials could be resolved for SES (default chain empty or unreachable).</summary>
    public const string CredentialsUnavailable = "credentials-unavailable";

    /// <summary>503: SES refused every send for an account-level reason an operator fixes (sending paused, suspended, MAIL FROM domain not verified, configuration set missing).</summary>
    public const string ProviderAccountBlocked = "provider-account-blocked";

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
