namespace SgNotifier.Core.Sns;

/// <summary>The outcome of verifying one SNS message, in the order the checks run.</summary>
public enum SnsVerificationResult
{
    Verified,
    TopicNotAllowed,
    UnsupportedSignatureVersion,
    UntrustedCertUrl,
    CertUnavailable,
    BadCertificate,
    BadSignature,
    StaleMessage,
    FutureMessage,
    CertExpired,
}
