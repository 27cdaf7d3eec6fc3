using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Sns;

/// <summary>
/// Decides whether a parsed message really comes from SNS for a topic we allow (REFERENCE.md §2), in this order:
/// allow-list (before any network call) → SignatureVersion → certificate URL pin → certificate download →
/// RSA signature → Timestamp window → certificate validity at Timestamp.
/// </summary>
public sealed class SnsMessageVerifier
{
    private readonly SigningCertificateCache _certificates;
    private readonly SnsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly HashSet<string> _allowedTopics;

    public SnsMessageVerifier(SigningCertificateCache certificates, IOptions<SnsOptions> options, TimeProvider timeProvider, ILogger<SnsMessageVerifier> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _certificates = certificates;
        _options = options.Value;
        _timeProvider = timeProvider;
        _allowedTopics = new HashSet<string>(_options.AllowedTopicArns, StringComparer.Ordinal);
        if (_allowedTopics.Count == 0)
        {
            logger.NoAllowedTopics();
        }

        if (!_options.VerifySignatures)
        {
            logger.SignaturesNotVerified();
        }
    }

    public bool IsTopicAllowed(string topicArn) => _allowedTopics.Contains(topicArn);

    public Task<SnsVerificationResult> VerifyAsync(SnsMessage message, CancellationToken cancellationToken) =>
        VerifyAsync(message, SnsVerificationMode.Delivery, cancellationToken);

    /// <param name="mode"><see cref="SnsVerificationMode.IgnoreAge"/> skips only the <c>Sns:MaxMessageAge</c> check.</param>
    public async Task<SnsVerificationResult> VerifyAsync(SnsMessage message, SnsVerificationMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!IsTopicAllowed(message.TopicArn) || !TopicArn.TryParse(message.TopicArn, out var topic))
        {
            return SnsVerificationResult.TopicNotAllowed;
        }

        if (SnsSignature.HashFor(message.SignatureVersion) is null)
        {
            return SnsVerificationResult.UnsupportedSignatureVersion;
        }

        if (!SigningCertUrl.IsTrusted(message.SigningCertUrl, topic))
        {
            return SnsVerificationResult.UntrustedCertUrl;
        }

        var fetched = await _certificates.GetAsync(message.SigningCertUrl!, cancellationToken);
        if (fetched.Certificate is not { } certificate)
        {
            return fetched.Status == CertificateFetchStatus.Unavailable
                ? SnsVerificationResult.CertUnavailable
                : SnsVerificationResult.BadCertificate;
        }

        var maxAge = mode == SnsVerificationMode.IgnoreAge ? TimeSpan.MaxValue : _options.MaxMessageAge;
        return Check(message, certificate, _timeProvider.GetUtcNow(), maxAge, _options.ClockSkew);
    }

    /// <summary>The pure part, after the certificate is known: signature, then time.</summary>
    public static SnsVerificationResult Check(SnsMessage message, SigningCertificate certificate, DateTimeOffset now, TimeSpan maxAge, TimeSpan clockSkew)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(certificate);
        if (!SnsSignature.Verify(message, certificate.PublicKey))
        {
            return SnsVerificationResult.BadSignature;
        }

        if (!TryParseTimestamp(message.Timestamp, out var timestamp) || now - timestamp > maxAge)
        {
            return SnsVerificationResult.StaleMessage;
        }

        if (timestamp - now > clockSkew)
        {
            return SnsVerificationResult.FutureMessage;
        }

        return timestamp < certificate.NotBefore || timestamp > certificate.NotAfter
            ? SnsVerificationResult.CertExpired
            : SnsVerificationResult.Verified;
    }

    /// <summary>SNS writes ISO 8601 UTC with milliseconds (<c>2015-09-16T21:48:58.755Z</c>); only an explicit UTC offset is accepted.</summary>
    public static bool TryParseTimestamp(string value, out DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(value);
        timestamp = default;
        return value.Length is >= 20 and <= 40 &&
               (value.EndsWith('Z') || value.EndsWith("+00:00", StringComparison.Ordinal)) &&
               DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out timestamp);
    }

    public static string ReasonFor(SnsVerificationResult result) => result switch
    {
        SnsVerificationResult.Verified => SnsReasons.Verified,
        SnsVerificationResult.TopicNotAllowed => SnsReasons.TopicNotAllowed,
        SnsVerificationResult.UnsupportedSignatureVersion => SnsReasons.UnsupportedSignatureVersion,
        SnsVerificationResult.UntrustedCertUrl => SnsReasons.UntrustedCertUrl,
        SnsVerificationResult.CertUnavailable => SnsReasons.CertUnavailable,
        SnsVerificationResult.BadCertificate => SnsReasons.BadCertificate,
        SnsVerificationResult.BadSignature => SnsReasons.BadSignature,
        SnsVerificationResult.StaleMessage => SnsReasons.StaleMessage,
        SnsVerificationResult.FutureMessage => SnsReasons.FutureMessage,
        SnsVerificationResult.CertExpired => SnsReasons.CertExpired,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };

    public static string DetailFor(SnsVerificationResult result) => result switch
    {
        SnsVerificationResult.Verified => "the message is signed by SNS for an allowed topic",
        SnsVerificationResult.TopicNotAllowed => "the topic is not in Sns:AllowedTopicArns",
        SnsVerificationResult.UnsupportedSignatureVersion => "SignatureVersion must be 1 or 2",
        SnsVerificationResult.UntrustedCertUrl => "SigningCertURL is not an SNS certificate of the topic's region",
        SnsVerificationResult.CertUnavailable => "the signing certificate could not be downloaded; SNS will retry",
        SnsVerificationResult.BadCertificate => "the signing certificate URL did not serve a certificate",
        SnsVerificationResult.BadSignature => "the signature does not match the message",
        SnsVerificationResult.StaleMessage => "the Timestamp is older than Sns:MaxMessageAge or unreadable",
        SnsVerificationResult.FutureMessage => "the Timestamp is in the future beyond Sns:ClockSkew",
        SnsVerificationResult.CertExpired => "the signing certificate was not valid at the message's Timestamp",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, null),
    };
}
