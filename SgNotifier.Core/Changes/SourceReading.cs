namespace SgNotifier.Core.Changes;

/// <summary>
/// What a source (<c>Sources/Config</c>, <c>Sources/CloudTrail</c>) made of one message. Closed: a change (or several,
/// one per group), a message to ignore with a reason, or a transient failure to retry.
/// </summary>
public abstract record SourceReading
{
    private protected SourceReading()
    {
    }
}

/// <summary>One change per group the message is about (one, except for a tag call on several groups).</summary>
/// <param name="Observed">
/// What the message taught about its groups, for the group directory: written by the pipeline once the delivery is
/// answered for good (never by preview, never before a 503), so a redelivery still sees the state before the change.
/// </param>
public sealed record ChangesRead(IReadOnlyList<SecurityGroupChange> Changes, IReadOnlyList<GroupState>? Observed = null) : SourceReading;

/// <summary>Nothing to route.</summary>
/// <param name="Reason">Stable kebab-case code (README "Reason codes").</param>
/// <param name="Detail">One human sentence; never message content.</param>
/// <param name="MessageType">Config's <c>messageType</c> or the CloudTrail event name, when known (preview shows it).</param>
/// <param name="Context">The change as far as it was read, when the message is about a known group (preview shows it).</param>
/// <param name="Loud">A group change that reaches nobody although it was meant to: logged as an error (event 1022).</param>
public sealed record IgnoredReading(string Reason, string Detail, string? MessageType = null, SecurityGroupChange? Context = null, bool Loud = false) : SourceReading
{
    /// <summary>The CloudTrail event id of a call that is not a change (a failed call, another call), when known.</summary>
    public string? EventId { get; init; }
}

/// <summary>AWS could not be read (throttling, 5xx, timeout): answer 503 so SNS delivers again.</summary>
/// <param name="Problem">Error codes and our own words, never content.</param>
public sealed record RetryReading(string Reason, string Problem) : SourceReading;
