namespace SgNotifier.Core.Aws;

/// <summary>One CloudTrail event as <c>LookupEvents</c> returns it; <see cref="CloudTrailEvent"/> is the full record as JSON text.</summary>
public sealed record CloudTrailLookupEvent(string? EventId, string? EventName, string? CloudTrailEvent);

/// <summary>How a <c>LookupEvents</c> search ended.</summary>
public enum CloudTrailLookupStatus
{
    Completed,
    Throttled,
    AccessDenied,
    Failed,
    TimedOut,
}

/// <summary>The events of every page read, or why the search stopped.</summary>
/// <param name="Problem">One sentence with the AWS error code; never a token or a body.</param>
public sealed record CloudTrailLookupResult(CloudTrailLookupStatus Status, IReadOnlyList<CloudTrailLookupEvent> Events, string? Problem)
{
    public static CloudTrailLookupResult Failure(CloudTrailLookupStatus status, string problem) => new(status, [], problem);
}
