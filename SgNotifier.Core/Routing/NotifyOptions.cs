using System.ComponentModel.DataAnnotations;

namespace SgNotifier.Core.Routing;

/// <summary>Who is notified about what (section <c>Notify</c>).</summary>
public sealed class NotifyOptions : IValidatableObject
{
    public const string Section = "Notify";

    /// <summary>The <see cref="AllowedRecipientDomains"/> entry that allows every domain: an explicit, logged opt-out.</summary>
    public const string AnyDomain = "*";

    /// <summary>AWS Security Hub control EC2.19 ("unrestricted access to ports with high risk"), TCP and UDP.</summary>
    public static IReadOnlyList<int> DefaultRiskyPorts { get; } =
    [
        20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080, 8088, 8888, 9200, 9300,
    ];

    /// <summary>The tag whose value <c>yes</c> or <c>true</c> (trimmed, any case) opts a group in.</summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string NotifyOnChangeTagKey { get; set; } = "NotifyOnChange";

    /// <summary>The tag holding the owners' addresses, separated by spaces, commas or semicolons.</summary>
    [Required]
    [StringLength(128, MinimumLength = 1)]
    public string OwnerTagKey { get; set; } = "OwnerDL";

    /// <summary>
    /// Ports that make a world-open ingress rule risky. Null (not configured) means <see cref="DefaultRiskyPorts"/>;
    /// a list is used as it is (configuration binding appends to a pre-filled list, so the default is not one).
    /// </summary>
    public IList<int>? RiskyPorts { get; set; }

    /// <summary>
    /// Owner addresses outside these domains (or their subdomains) are dropped and reported. Required outside
    /// Development; <see cref="AnyDomain"/> (<c>*</c>) opts out, with a warning at start.
    /// </summary>
    public IList<string>? AllowedRecipientDomains { get; set; }

    /// <summary>Receive changes of opted-in groups that have no valid owner, and oversized changes that could not be inspected.</summary>
    public IList<string>? FallbackRecipients { get; set; }

    /// <summary>
    /// Most addresses taken from one routing tag, counting every key that differs only in case or invisible
    /// characters (<c>OwnerDL</c>, <c>ownerdl</c>, <c>OWNERDL</c>) as that tag; the excess is reported as
    /// <c>too-many-recipients</c>. At most <see cref="MailLimits.MaxRecipientsPerMessage"/>, so a message always fits
    /// the provider's limit.
    /// </summary>
    [Range(1, MailLimits.MaxRecipientsPerMessage)]
    public int MaxRecipientsPerTag { get; set; } = 10;

    /// <summary>Most addresses one change is mailed to, previous and new owners together; the previous owners come first.</summary>
    [Range(1, 200)]
    public int MaxRecipients { get; set; } = 20;

    /// <summary>When set, only changes of resources in these AWS accounts are routed; others are ignored (<c>account-not-allowed</c>).</summary>
    public IList<string>? AllowedAccountIds { get; set; }

    /// <summary>
    /// Which sources' messages are routed: <c>Config</c>, <c>CloudTrail</c> (any case). Null (not configured) means
    /// Config only, as before CloudTrail existed; a CloudTrail event then is ignored with <c>source-disabled</c>. With
    /// both, a change mailed from one source is not mailed again from the other (<c>already-notified</c>).
    /// </summary>
    public IList<string>? Sources { get; set; }

    /// <summary>
    /// How long before a Config capture time its CloudTrail call may have been made and still be the same change
    /// (Config records minutes after the call). Default 15 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Notify:CorrelationWindowBefore must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan CorrelationWindowBefore { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long after a Config capture time a CloudTrail call may be dated and still be the same change (clock skew). Default 2 minutes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "Notify:CorrelationWindowAfter must be between 00:00:00 and 01:00:00.")]
    public TimeSpan CorrelationWindowAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The sources routed (<see cref="Sources"/>, default Config only).</summary>
    public IReadOnlySet<Changes.ChangeSource> EffectiveSources => Sources is not { Count: > 0 } names
        ? new HashSet<Changes.ChangeSource> { Changes.ChangeSource.Config }
        : names.Select(static n => Enum.TryParse<Changes.ChangeSource>(n?.Trim(), ignoreCase: true, out var s) && Enum.IsDefined(s) && !int.TryParse(n, out _) ? s : (Changes.ChangeSource?)null)
            .Where(static s => s is not null).Select(static s => s!.Value).ToHashSet();

    /// <summary>Both sources are routed: their reports of one change are correlated (issue 17).</summary>
    public bool CorrelatesSources => EffectiveSources.Count > 1;

    public IReadOnlyCollection<int> EffectiveRiskyPorts => RiskyPorts is null ? DefaultRiskyPorts : [.. RiskyPorts];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var port in RiskyPorts ?? [])
        {
            if (port is < 0 or > 65535)
            {
                yield return new ValidationResult($"Notify:RiskyPorts: {port} is not a port (0-65535).", [nameof(RiskyPorts)]);
            }
        }

        foreach (var domain in AllowedRecipientDomains ?? [])
        {
            if (domain != AnyDomain && !RecipientParser.IsValidAddress("postmaster@" + domain))
            {
                yield return new ValidationResult($"Notify:AllowedRecipientDomains: '{domain}' is not a domain name (or '*' for any domain).", [nameof(AllowedRecipientDomains)]);
            }
        }

        foreach (var name in Sources ?? [])
        {
            if (!string.Equals(name?.Trim(), "Config", StringComparison.OrdinalIgnoreCase) && !string.Equals(name?.Trim(), "CloudTrail", StringComparison.OrdinalIgnoreCase))
            {
                yield return new ValidationResult($"Notify:Sources: '{name}' is not a source (Config, CloudTrail).", [nameof(Sources)]);
            }
        }

        if (Sources is { Count: 0 })
        {
            yield return new ValidationResult("Notify:Sources: name at least one source (Config, CloudTrail).", [nameof(Sources)]);
        }

        if (MaxRecipients < MaxRecipientsPerTag)
        {
            yield return new ValidationResult(
                "Notify:MaxRecipients must be at least Notify:MaxRecipientsPerTag.", [nameof(MaxRecipients)]);
        }

        if (FallbackRecipients is { Count: > MailLimits.MaxRecipientsPerMessage })
        {
            yield return new ValidationResult(
                $"Notify:FallbackRecipients: at most {MailLimits.MaxRecipientsPerMessage} addresses (one message; SES and ACS refuse more).", [nameof(FallbackRecipients)]);
        }

        foreach (var account in AllowedAccountIds ?? [])
        {
            if (account is not { Length: 12 } || !account.All(char.IsAsciiDigit))
            {
                yield return new ValidationResult($"Notify:AllowedAccountIds: '{account}' is not a 12-digit AWS account id.", [nameof(AllowedAccountIds)]);
            }
        }

        foreach (var address in FallbackRecipients ?? [])
        {
            if (!RecipientParser.IsValidAddress(address))
            {
                yield return new ValidationResult($"Notify:FallbackRecipients: '{address}' is not a plain e-mail address.", [nameof(FallbackRecipients)]);
            }
            else if (RecipientParser.Check(address, AllowedRecipientDomains?.ToList()) is not null)
            {
                yield return new ValidationResult($"Notify:FallbackRecipients: '{address}' is outside Notify:AllowedRecipientDomains.", [nameof(FallbackRecipients)]);
            }
        }
    }
}
