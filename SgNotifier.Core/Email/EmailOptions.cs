using System.ComponentModel.DataAnnotations;

namespace SgNotifier.Core.Email;

/// <summary>The <c>Email</c> section: how mail is rendered and which provider delivers it.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    [EnumDataType(typeof(EmailProvider), ErrorMessage = "Email:Provider must be Outbox, Ses or Acs")]
    public EmailProvider Provider { get; set; } = EmailProvider.Outbox;

    /// <summary>A plain address (<c>sg-alerts@example.com</c>, no display name); required for Ses and Acs.</summary>
    public string? From { get; set; }

    [Required(AllowEmptyStrings = true, ErrorMessage = "Email:SubjectPrefix must not be null")]
    [MaxLength(60, ErrorMessage = "Email:SubjectPrefix must be at most 60 characters")]
    public string SubjectPrefix { get; set; } = "[SG change]";

    /// <summary>A folder whose <c>*.liquid</c> files replace the embedded templates of the same name.</summary>
    public string? TemplateDirectory { get; set; }

    /// <summary>Optional per-instance limit on sends per second (for SES quotas), enforced before each send; a delivery that gets no permit within 5 s answers 503 <c>rate-limited</c>.</summary>
    [Range(0.01, 10_000, ErrorMessage = "Email:MaxSendsPerSecond must be between 0.01 and 10000")]
    public double? MaxSendsPerSecond { get; set; }

    public OutboxSettings Outbox { get; set; } = new();

    public SesSettings Ses { get; set; } = new();

    public AcsSettings Acs { get; set; } = new();

    public RetrySettings Retry { get; set; } = new();

    public sealed class OutboxSettings
    {
        public string Directory { get; set; } = "./outbox";
    }

    public sealed class SesSettings
    {
        /// <summary>Signing region, e.g. <c>eu-west-1</c>; also picks <c>email.&lt;region&gt;.amazonaws.com</c>.</summary>
        public string? Region { get; set; }

        /// <summary>Overrides the regional endpoint, e.g. an aws-ses-v2-local emulator.</summary>
        public Uri? ServiceUrl { get; set; }

        /// <summary>With <see cref="SecretAccessKey"/>: explicit keys. Without: the default AWS credential chain.</summary>
        public string? AccessKeyId { get; set; }

        public string? SecretAccessKey { get; set; }

        /// <summary>
        /// With <see cref="AccessKeyId"/> and <see cref="SecretAccessKey"/>: a temporary key's session token, sent as
        /// <c>X-Amz-Security-Token</c> and signed. Never logged.
        /// </summary>
        public string? SessionToken { get; set; }

        public string? ConfigurationSetName { get; set; }
    }

    public sealed class AcsSettings
    {
        /// <summary><c>endpoint=https://….communication.azure.com/;accesskey=…</c>: HMAC-SHA256 authentication.</summary>
        public string? ConnectionString { get; set; }

        /// <summary>Used alone (no connection string): Entra ID through <c>DefaultAzureCredential</c>.</summary>
        public Uri? Endpoint { get; set; }

        /// <summary>
        /// How long a send may poll <c>Operation-Location</c> for the final status after the 202; a status that needs
        /// longer is checked in the background (the mail counts as accepted either way).
        /// </summary>
        public TimeSpan PollBudget { get; set; } = TimeSpan.FromSeconds(3);
    }

    /// <summary>
    /// Bounded retries inside one request, only of what the provider cannot have taken (no connection; 429/503, with
    /// Retry-After honoured when it fits); the total stays well under SNS's ~15 s response timeout.
    /// </summary>
    public sealed class RetrySettings
    {
        public int MaxRetries { get; set; } = 2;

        /// <summary>How long one attempt may take to connect. A request once sent waits for its answer up to <see cref="TotalTimeout"/>.</summary>
        public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(3);

        public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(8);
    }
}
