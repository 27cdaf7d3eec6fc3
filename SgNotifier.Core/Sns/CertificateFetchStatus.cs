namespace SgNotifier.Core.Sns;

public enum CertificateFetchStatus
{
    Fetched,

    /// <summary>Network error, timeout, 429 or 5xx: the message may be genuine, SNS should retry.</summary>
    Unavailable,

    /// <summary>The pinned URL answered with something that is not a certificate (4xx, redirect, too big, not PEM).</summary>
    Invalid,
}
