using System.Text.RegularExpressions;
using SgNotifier.Core.Aws;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// Where the app may read an oversized item: only the configured Config delivery bucket, only under the key prefix
/// Config writes for the summarised account and region (<c>[prefix/]AWSLogs/&lt;account&gt;/Config/&lt;region&gt;/</c>,
/// https://docs.aws.amazon.com/config/latest/developerguide/manage-delivery-channel.html). The message only names the
/// object: a message published to an allowed topic must not make the app read another bucket, another account's
/// objects, or sign requests for a made-up region.
/// </summary>
public static partial class ConfigDeliveryLocation
{
    /// <summary>The bucket and key to read, or the reason the message's location is refused (no request is made).</summary>
    public static (string? Bucket, string? Key, string? Refusal) Check(ConfigurationItemSummary summary, string? s3BucketLocation, AwsOptions options)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(options);
        if (!IsAccountId(summary.AwsAccountId))
        {
            return (null, null, "the summary's awsAccountId is not a 12-digit account id");
        }

        if (!IsRegionName(summary.AwsRegion))
        {
            return (null, null, "the summary's awsRegion is not an AWS region name");
        }

        if (string.IsNullOrEmpty(options.ConfigBucket))
        {
            return (null, null, "Aws:ConfigBucket is not set");
        }

        var slash = s3BucketLocation?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (s3BucketLocation is null || slash <= 0)
        {
            return (null, null, "the notification has no usable s3BucketLocation");
        }

        var bucket = s3BucketLocation[..slash];
        var key = s3BucketLocation[(slash + 1)..];
        if (!string.Equals(bucket, options.ConfigBucket, StringComparison.Ordinal))
        {
            return (null, null, "s3BucketLocation names a bucket other than Aws:ConfigBucket");
        }

        var prefix = (string.IsNullOrEmpty(options.ConfigKeyPrefix) ? "" : options.ConfigKeyPrefix.Trim('/') + "/") +
                     $"AWSLogs/{summary.AwsAccountId}/Config/{summary.AwsRegion}/";
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length == prefix.Length ||
            key.Split('/').Any(static segment => segment is "" or "." or ".."))
        {
            return (null, null, $"the object key is not under {prefix} of Aws:ConfigBucket");
        }

        return (bucket, key, null);
    }

    /// <summary>A region name's shape (<c>us-east-1</c>, <c>us-gov-west-1</c>, <c>cn-north-1</c>): never a host name.</summary>
    public static bool IsRegionName(string? region) => region is not null && RegionPattern().IsMatch(region);

    public static bool IsAccountId(string? account) => account is { Length: 12 } && account.All(char.IsAsciiDigit);

    [GeneratedRegex(@"^[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex RegionPattern();
}
