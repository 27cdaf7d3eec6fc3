namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>A message that is not a successful security-group API call.</summary>
/// <param name="Reason">One of <see cref="CloudTrailReasons"/>.</param>
/// <param name="Problem">Why, for logs: names fields and JSON types, never quotes the message's content.</param>
/// <param name="Event">What identifies the event, when it got that far (always set for <see cref="CloudTrailReasons.CallFailed"/>).</param>
/// <param name="ErrorCode">The call's <c>errorCode</c> for <see cref="CloudTrailReasons.CallFailed"/>; null when it is not a plain code.</param>
public sealed record IgnoredCloudTrailEvent(
    string Reason,
    string Problem,
    CloudTrailEventInfo? Event,
    string? ErrorCode) : CloudTrailReading;
