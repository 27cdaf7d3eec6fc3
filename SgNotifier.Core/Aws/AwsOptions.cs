using System.ComponentModel.DataAnnotations;
using Amazon;
using Amazon.Runtime;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core.Aws;

/// <summary>
/// Read access to AWS (section <c>Aws</c>): oversized Config items, EC2 lookups and CloudTrail actors. Every switch
/// defaults to off: by default the app needs no AWS credentials at all. Credentials come from the SDK's default chain,
/// or from a web identity (the Function App's managed identity), optionally chained into a role per account.
/// </summary>
public sealed class AwsOptions : IValidatableObject
{
    public const string Section = "Aws";

    /// <summary>Fetch the full notification of an oversized item from S3 (<c>s3:GetObject</c> on the Config delivery bucket).</summary>
    public bool FetchOversizedItems { get; set; }

    /// <summary>When S3 is off or fails permanently, read the group's current tags and rules with <c>ec2:DescribeSecurityGroups</c>.</summary>
    public bool LookupTagsWithEc2 { get; set; }

    /// <summary>
    /// The Config delivery channel's bucket: the only bucket oversized items are read from (required with
    /// <see cref="FetchOversizedItems"/>). The bucket a message names must be this one.
    /// </summary>
    public string? ConfigBucket { get; set; }

    /// <summary>The account that owns <see cref="ConfigBucket"/>, sent as <c>x-amz-expected-bucket-owner</c>: S3 refuses the read if the bucket changed hands.</summary>
    [RegularExpression("^[0-9]{12}$")]
    public string? ConfigBucketOwner { get; set; }

    /// <summary>The delivery channel's S3 key prefix, if it has one; keys are read only under <c>[prefix/]AWSLogs/&lt;account&gt;/Config/&lt;region&gt;/</c>.</summary>
    public string? ConfigKeyPrefix { get; set; }

    /// <summary>The Config delivery bucket's region; when empty, the region of the changed resource.</summary>
    public string? Region { get; set; }

    /// <summary>Endpoint override for S3 (tests, emulators); path-style addressing is used with it.</summary>
    public string? S3ServiceUrl { get; set; }

    /// <summary>Endpoint override for EC2 (tests, emulators).</summary>
    public string? Ec2ServiceUrl { get; set; }

    /// <summary>Endpoint override for CloudTrail (tests, emulators).</summary>
    public string? CloudTrailServiceUrl { get; set; }

    /// <summary>Endpoint override for STS (tests, emulators).</summary>
    public string? StsServiceUrl { get; set; }

    /// <summary>Name the person behind each Config change from CloudTrail <c>LookupEvents</c>.</summary>
    public bool LookupActors { get; set; }

    /// <summary>
    /// How long after the item's capture time to answer 503 <c>actor-pending</c> while CloudTrail has no event yet, so
    /// SNS delivers again later; 0 mails at once without the actor.
    /// </summary>
    public TimeSpan ActorWait { get; set; } = TimeSpan.Zero;

    /// <summary>How far before the capture time the CloudTrail search starts.</summary>
    public TimeSpan ActorWindowBefore { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How far after the capture time the CloudTrail search ends.</summary>
    public TimeSpan ActorWindowAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The whole actor lookup's budget (all pages, waits for the rate limit, retries); well inside SNS's ~15 s.</summary>
    public TimeSpan ActorLookupTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The role to assume in the changed group's account, with <c>{accountId}</c> in place of the account, e.g.
    /// <c>arn:aws:iam::{accountId}:role/SgNotifierReader</c>. Empty: every read uses the base credentials.
    /// </summary>
    public string? RoleArnTemplate { get; set; }

    /// <summary>The <c>sts:ExternalId</c> the member roles' trust policies require.</summary>
    public string? ExternalId { get; set; }

    /// <summary>Base credentials from the Function App's managed identity instead of AWS keys.</summary>
    public WebIdentitySettings WebIdentity { get; set; } = new();

    /// <summary>Per-request timeout. SNS waits about 15 s for an answer, so keep the total well below.</summary>
    [Range(1, 30)]
    public int TimeoutSeconds { get; set; } = 4;

    /// <summary>SDK retries of throttling and 5xx answers, on top of the first attempt.</summary>
    [Range(0, 5)]
    public int MaxErrorRetry { get; set; } = 1;

    /// <summary>Cap on the decompressed size of an oversized notification.</summary>
    [Range(1024, 256L * 1024 * 1024)]
    public long MaxOversizedItemBytes { get; set; } = 32L * 1024 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FetchOversizedItems && (string.IsNullOrEmpty(ConfigBucket) || string.IsNullOrEmpty(ConfigBucketOwner)))
        {
            yield return new ValidationResult(
                "Aws:FetchOversizedItems needs Aws:ConfigBucket and Aws:ConfigBucketOwner: oversized items are read only from the Config delivery bucket.",
                [nameof(ConfigBucket)]);
        }

        if (!string.IsNullOrEmpty(ConfigBucket) && !OversizedConfigurationItemFetcher.IsBucketName(ConfigBucket))
        {
            yield return new ValidationResult("Aws:ConfigBucket is not an S3 bucket name.", [nameof(ConfigBucket)]);
        }

        foreach (var problem in AwsOptionsValidation.Problems(this))
        {
            yield return problem;
        }

        foreach (var (name, value) in new[]
                 {
                     (nameof(S3ServiceUrl), S3ServiceUrl), (nameof(Ec2ServiceUrl), Ec2ServiceUrl),
                     (nameof(CloudTrailServiceUrl), CloudTrailServiceUrl), (nameof(StsServiceUrl), StsServiceUrl),
                 })
        {
            if (!string.IsNullOrEmpty(value) &&
                !(Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)))
            {
                yield return new ValidationResult($"Aws:{name} must be an absolute http(s) URL.", [name]);
            }
        }
    }

    /// <summary>
    /// The settings every AWS client of the app shares: timeout and retries from this section, and either the
    /// region's endpoint or <paramref name="serviceUrl"/> (an emulator or a VPC endpoint) signed for the region.
    /// </summary>
    internal T Configure<T>(T config, string? serviceUrl, string region)
        where T : ClientConfig
    {
        config.Timeout = TimeSpan.FromSeconds(TimeoutSeconds);
        config.MaxErrorRetry = MaxErrorRetry;
        if (!AwsRegion.IsValid(region))
        {
            // Callers check first; this is the last line of defence against a host built from a message.
            throw new ArgumentException("not a region name", nameof(region));
        }

        if (string.IsNullOrEmpty(serviceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = serviceUrl;
            config.AuthenticationRegion = region;
        }

        return config;
    }

    /// <summary>Section <c>Aws:WebIdentity</c>.</summary>
    public sealed class WebIdentitySettings
    {
        /// <summary>The hub role to assume with the managed identity's token (<c>AssumeRoleWithWebIdentity</c>).</summary>
        public string? RoleArn { get; set; }

        /// <summary>The token's audience: the application ID URI the hub role's trust policy checks (<c>aud</c>).</summary>
        public string? Audience { get; set; }

        /// <summary>A user-assigned managed identity's client id; empty for the system-assigned identity (or local developer credentials).</summary>
        public string? ClientId { get; set; }
    }
}
