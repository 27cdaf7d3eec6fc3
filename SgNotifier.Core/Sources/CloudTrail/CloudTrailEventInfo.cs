namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>Where an API call came from and how to name it once (ledger, logs, the mail's "source" line).</summary>
/// <param name="EventBridgeId">The envelope's <c>id</c> (one per EventBridge event); null when absent.</param>
/// <param name="EventId"><c>detail.eventID</c>: CloudTrail's id of the call, the exactly-once key.</param>
/// <param name="EventName">The API name, e.g. <c>AuthorizeSecurityGroupIngress</c>.</param>
/// <param name="EventTime"><c>detail.eventTime</c> (else the envelope's <c>time</c>); null when neither is readable.</param>
/// <param name="AccountId">The account that received the call (<c>recipientAccountId</c>, else the envelope's <c>account</c>).</param>
/// <param name="Region"><c>detail.awsRegion</c>, else the envelope's <c>region</c>.</param>
public sealed record CloudTrailEventInfo(
    string? EventBridgeId,
    string EventId,
    string EventName,
    DateTimeOffset? EventTime,
    string AccountId,
    string Region);
