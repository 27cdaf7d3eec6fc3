using System.Text.RegularExpressions;
using SgNotifier.Core.Aws;

namespace SgNotifier.Core.Email;

/// <summary>
/// Console links built only from values that look like what AWS issues, so a strange region or id in a message can
/// never steer a link to another host or scheme; anything else gets no link.
/// </summary>
internal static partial class AwsConsoleLinks
{
    public static string? SecurityGroup(string region, string groupId) =>
        IsRegion(region) && IsGroupId(groupId)
            ? $"{Home(region)}/ec2/home?region={region}#SecurityGroup:groupId={groupId}"
            : null;

    public static string? ConfigTimeline(string region, string groupId) =>
        IsRegion(region) && IsGroupId(groupId)
            ? $"{Home(region)}/config/home?region={region}#/resources/timeline?resourceId={groupId}&resourceType=AWS::EC2::SecurityGroup"
            : null;

    public static string? CloudTrailEvent(string region, string eventId) =>
        IsRegion(region) && EventIdPattern().IsMatch(eventId)
            ? $"{Home(region)}/cloudtrail/home?region={region}#/events/{eventId}"
            : null;

    private static string Home(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? $"https://{region}.console.amazonaws.cn"
        : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "https://console.amazonaws-us-gov.com"
        : $"https://{region}.console.aws.amazon.com";

    public static bool IsRegion(string? region) => AwsRegion.IsValid(region);

    private static bool IsGroupId(string groupId) => GroupIdPattern().IsMatch(groupId);

    [GeneratedRegex("^sg-[0-9a-f]{1,32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex GroupIdPattern();

    [GeneratedRegex("^[0-9A-Za-z-]{1,64}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex EventIdPattern();
}
