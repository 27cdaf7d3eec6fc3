namespace SgNotifier.Core.Sources.Config;

/// <summary>An AWS Config message as SgNotifier understands it.</summary>
/// <param name="MessageType">The Config <c>messageType</c>, or null when the message is not Config.</param>
/// <param name="Problem">Why the message is <see cref="ConfigMessageKind.NotConfig"/> or <see cref="ConfigMessageKind.Malformed"/>; never contains message content.</param>
/// <param name="Item">The configuration item of an <see cref="ConfigMessageKind.ItemChange"/>.</param>
/// <param name="Diff">The item's <c>configurationItemDiff</c>; null when absent. Parsed only for security groups.</param>
/// <param name="Summary">The <c>configurationItemSummary</c> of an oversized notification.</param>
/// <param name="S3Delivery">The <c>s3DeliverySummary</c> of an oversized notification.</param>
/// <param name="ViaEventBridge">The message came in EventBridge's envelope (<c>detail-type</c>, <c>source: aws.config</c>, <c>detail</c>).</param>
public sealed record ConfigMessage(
    ConfigMessageKind Kind,
    string? MessageType,
    string? Problem,
    ConfigurationItem? Item,
    ConfigurationItemDiff? Diff,
    ConfigurationItemSummary? Summary,
    S3DeliverySummary? S3Delivery,
    bool ViaEventBridge)
{
    public static ConfigMessage NotConfig(string problem) =>
        new(ConfigMessageKind.NotConfig, null, problem, null, null, null, null, false);

    public static ConfigMessage Malformed(string? messageType, string problem, bool viaEventBridge) =>
        new(ConfigMessageKind.Malformed, messageType, problem, null, null, null, null, viaEventBridge);
}
