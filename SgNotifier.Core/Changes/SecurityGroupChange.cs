using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Changes;

/// <summary>
/// One change of one security group, whichever source reported it: all that routing, risk, rendering, the ledger and
/// preview see. Sources (<c>Sources/Config</c>, <c>Sources/CloudTrail</c>) are adapters that build it; records only.
/// </summary>
/// <param name="Events">The reporting event first (<see cref="Source"/>, <see cref="Time"/>), then related events.</param>
/// <param name="Key">The exactly-once key of this report of the change.</param>
/// <param name="Note">
/// What the source could not tell, as a sentence for the mail and preview (e.g. an oversized item read from EC2), or
/// null.
/// </param>
public sealed record SecurityGroupChange(
    SecurityGroupIdentity Group,
    ChangeKind Kind,
    RuleChanges Rules,
    TagState Tags,
    ChangeActors Actors,
    IReadOnlyList<SourceEvent> Events,
    ChangeKey Key,
    string? Note = null)
{
    public ChangeSource Source => Key.Source;

    /// <summary>When the change happened, as its source reports it.</summary>
    public DateTimeOffset? Time => Events.Count > 0 ? Events[0].Time : null;

    /// <summary>The CloudTrail event ids of the change: the call's own, or those Config named in <c>relatedEvents</c>.</summary>
    public IReadOnlyList<string> CloudTrailEventIds =>
        Events.Where(static e => e.Source == ChangeSource.CloudTrail).Select(static e => e.Id).Distinct(StringComparer.Ordinal).ToList();
}
