namespace SgNotifier.Core.Sources.Config;

/// <summary>The fields of a <c>configurationItem</c> that SgNotifier uses.</summary>
/// <param name="ConfigurationStateId">As text, whether Config sent a number or a string; falls back to <c>configurationStateMd5Hash</c>.</param>
/// <param name="Tags">The item's <c>tags</c> map (empty when absent).</param>
/// <param name="Configuration">The security group's <c>configuration</c>; null for deleted groups and for other resource types.</param>
public sealed record ConfigurationItem(
    string ResourceType,
    string ResourceId,
    string? ResourceName,
    string AwsAccountId,
    string AwsRegion,
    string? Arn,
    string? ConfigurationItemStatus,
    DateTimeOffset? ConfigurationItemCaptureTime,
    string? ConfigurationStateId,
    IReadOnlyList<string> RelatedEvents,
    IReadOnlyDictionary<string, string> Tags,
    SecurityGroupConfiguration? Configuration)
{
    public bool IsSecurityGroup =>
        string.Equals(ResourceType, ConfigMessageParser.SecurityGroupResourceType, StringComparison.OrdinalIgnoreCase);
}
