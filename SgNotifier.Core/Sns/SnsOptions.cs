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

    /// <summary>Oldest Timestamp accepted: SNS retries for at most one hour, plus clock skew.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan MaxMessageAge { get; set; } = TimeSpan.FromMinutes(65);

    /// <summary>How far in the future a Timestamp may be.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest body read; bigger ones get 413. SNS messages are at most 256 KiB.</summary>
    [Range(16 * 1024, 4 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 256 * 1024;

    /// <summary>How long a downloaded signing certificate (and its parsed key) is reused.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan CertificateCacheDuration { get; set; } = TimeSpan.FromHours(12);

    [Range(typeof(TimeSpan), "00:00:01", "00:00:30")]
    public TimeSpan CertificateDownloadTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:01", "00:00:30")]
    public TimeSpan ConfirmTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
