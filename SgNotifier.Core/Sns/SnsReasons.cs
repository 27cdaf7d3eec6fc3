namespace SgNotifier.Core.Sns;

/// <summary>Stable reason codes of the SNS stage (README "Reason codes"). Users script against them: never rename.</summary>
public static class SnsReasons
{
    // Malformed → 400 (413 for too-large).
    public const string TooLarge = "too-large";
    public const string InvalidJson = "invalid-json";
    public const string InvalidUtf8 = "invalid-utf8";
    public const string DuplicateKey = "duplicate-key";
    public const string InvalidField = "invalid-field";
    public const string MissingField = "missing-field";
    public const string UnknownType = "unknown-type";
    public const string TypeMismatch = "type-mismatch";
    public const string HeaderMismatch = "header-mismatch";
    public const string RawDelivery = "raw-delivery";
    public const string UnreadableBody = "unreadable-body";

    // Rejected → 403.
    public const string TopicNotAllowed = "topic-not-allowed";
    public const string UnsupportedSignatureVersion = "unsupported-signature-version";
    public const string UntrustedCertUrl = "untrusted-cert-url";
    public const string BadCertificate = "bad-certificate";
    public const string BadSignature = "bad-signature";
    public const string StaleMessage = "stale-message";
    public const string FutureMessage = "future-message";
    public const string CertExpired = "cert-expired";

    // Transient → 503.
    public const string CertUnavailable = "cert-unavailable";
    public const string ConfirmUnavailable = "confirm-unavailable";

    // Accepted → 200.
    public const string Verified = "verified";
    public const string NotVerified = "not-verified";
    public const string SubscriptionConfirmed = "confirmed";
    public const string AutoConfirmDisabled = "auto-confirm-disabled";
    public const string ConfirmFailed = "confirm-failed";
    public const string Unsubscribed = "unsubscribed";
    public const string Preview = "preview";
}
