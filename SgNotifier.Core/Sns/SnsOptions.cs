using System.ComponentModel.DataAnnotations;

namespace SgNotifier.Core.Sns;

public sealed class SnsOptions
{
    public const string Section = "Sns";

    /// <summary>Topics whose messages are accepted; checked before any network call. Required outside Development.</summary>
    public IList<string> AllowedTopicArns { get; } = [];

    /// <summary>May be false only when the environment is Development (hand-made messages in local runs).</summary>
    public bool VerifySignatures { get; set; } = true;

    /// <summary>Confirm subscriptions of allowed topics by calling SNS's ConfirmSubscription.</summary>
    public bool AutoConfirm { get; set; } = true;

    /// <summary>
    /// Confirm subscriptions with a SigV4-signed <c>ConfirmSubscription</c> and <c>AuthenticateOnUnsubscribe=true</c>,
    /// so that only a signed <c>Unsubscribe</c> by the topic owner can remove the subscription. Needs credentials
    /// allowed <c>sns:ConfirmSubscription</c> on the topic: <see cref="AccessKeyId"/> and <see cref="SecretAccessKey"/>,
    /// or the default AWS chain. When false, the confirmation is unsigned and a warning names the command that makes
    /// it authenticated.
    /// </summary>
    public bool AuthenticatedConfirm { get; set; }

    /// <summary>Access key for the signed confirmation; empty for the default AWS credential chain.</summary>
    public string? AccessKeyId { get; set; }

    public string? SecretAccessKey { get; set; }

    /// <summary>
    /// With <see cref="AccessKeyId"/> and <see cref="SecretAccessKey"/>: a temporary key's session token, sent as
    /// <c>X-Amz-Security-Token</c> and signed. Never logged.
    /// </summary>
    public string? SessionToken { get; set; }

    /// <summary>Oldest Timestamp accepted: SNS retries for at most one hour, plus clock skew.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan MaxMessageAge { get; set; } = TimeSpan.FromMinutes(65);

    /// <summary>How far in the future a Timestamp may be.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The worst-case HTTP body of a maximal SNS message. SNS limits the <c>Message</c> (with its attributes) to
    /// 256 KiB, but the body carries it as a JSON string: every <c>"</c>, <c>\</c> and JSON whitespace of a Config
    /// message doubles (<c>\"</c>, <c>\n</c>), and a non-ASCII character, should SNS send it as a <c>\uXXXX</c>
    /// escape, turns 2 UTF-8 bytes into 6. Three times the Message, plus 16 KiB for the envelope's own fields
    /// (Signature, SigningCertURL, UnsubscribeURL, TopicArn, Subject, …), fits every genuine delivery
    /// (README "Body size").
    /// </summary>
    public const int DefaultMaxBodyBytes = (3 * 256 * 1024) + (16 * 1024);

    /// <summary>Largest body read; bigger ones get 413 (logged as an error: SNS does not retry a 4xx).</summary>
    [Range(16 * 1024, 4 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;

    /// <summary>How long a downloaded signing certificate (and its parsed key) is reused.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan CertificateCacheDuration { get; set; } = TimeSpan.FromHours(12);

    [Range(typeof(TimeSpan), "00:00:01", "00:00:30")]
    public TimeSpan CertificateDownloadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:01", "00:00:30")]
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
