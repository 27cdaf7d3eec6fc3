using System.Text.RegularExpressions;

namespace SgNotifier.Core.Aws;

/// <summary>
/// The one check of a region name, against the region-name patterns of the partitions SgNotifier serves (the
/// <c>regionRegex</c> of each partition in the SDKs' <c>partitions.json</c>). Everything that builds a host, an ARN or
/// a console link from a region asks here first, so a value such as <c>us-east-1.evil.example</c> from a message can
/// never become part of a host name.
/// </summary>
public static partial class AwsRegion
{
    public static bool IsValid(string? region) => region is { Length: <= 32 } && Pattern().IsMatch(region);

    /// <summary>The partition of a valid region: <c>aws</c>, <c>aws-cn</c> or <c>aws-us-gov</c>.</summary>
    public static string Partition(string region) =>
        !IsValid(region) ? throw new ArgumentException("not a region name", nameof(region))
        : region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov"
        : "aws";

    /// <summary>The DNS suffix of a valid region's service endpoints.</summary>
    public static string DnsSuffix(string region) =>
        Partition(region) == "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";

    /// <summary>The regional endpoint of <paramref name="service"/>, e.g. <c>https://cloudtrail.eu-west-1.amazonaws.com/</c>.</summary>
    public static Uri Endpoint(string service, string region) => new($"https://{service}.{region}.{DnsSuffix(region)}/");

    /// <summary>A 12-digit AWS account id.</summary>
    public static bool IsAccountId(string? accountId) => accountId is { Length: 12 } && accountId.All(char.IsAsciiDigit);

    // aws: ^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$ ; aws-cn: ^cn-\w+-\d+$ ; aws-us-gov: ^us-gov-\w+-\d+$ (partitions.json),
    // with \w narrowed to lower-case letters and \z so no trailing newline slips through.
    [GeneratedRegex(@"^(?:(?:us|eu|ap|sa|ca|me|af|il|mx)-[a-z]+|cn-[a-z]+|us-gov-[a-z]+)-[0-9]{1,2}\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex Pattern();
}
