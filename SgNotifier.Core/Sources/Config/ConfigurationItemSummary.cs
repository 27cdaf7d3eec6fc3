namespace SgNotifier.Core.Sources.Config;

/// <summary>The <c>configurationItemSummary</c> of an oversized notification: identity, not content.</summary>
public sealed record ConfigurationItemSummary(
    string? ChangeType,
    string ResourceType,
    string ResourceId,
    string? ResourceName,
    string AwsAccountId,
    string AwsRegion,
    string? Arn,
    string? ConfigurationItemStatus,
    DateTimeOffset? ConfigurationItemCaptureTime,
    string? ConfigurationStateId)
{
    public bool IsSecurityGroup =>
        string.Equals(ResourceType, ConfigMessageParser.SecurityGroupResourceType, StringComparison.OrdinalIgnoreCase);
}
