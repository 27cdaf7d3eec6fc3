using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Routing;

/// <summary>
/// The routing verdict on one <see cref="SecurityGroupChange"/> (or on a message that is not one): ignore it with a
/// reason, or notify recipients. The change itself is <see cref="Change"/>, the same model whichever source reported
/// it; this record adds only what routing decided (recipients, risk under the configured ports, tag changes derived
/// from the change's tag state). Built by <see cref="ChangeRouter"/>.
/// </summary>
/// <param name="Reason">Stable kebab-case code (see README "Reason codes").</param>
/// <param name="Detail">One human sentence.</param>
/// <param name="Change">The change routed; null when the message is not a change of a known group.</param>
/// <param name="RoutedBy">Why the recipients get the mail, e.g. which tag and state opted the group in.</param>
public sealed record ChangeDecision(
    DecisionOutcome Outcome,
    string Reason,
    string Detail,
    SecurityGroupChange? Change,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<RejectedRecipient> RejectedRecipients,
    string? RoutedBy)
{
    /// <summary>Which source the message came from, also when it held no change (preview JSON <c>source</c>).</summary>
    public ChangeSource? Source { get; init; }

    /// <summary>Config's <c>messageType</c> or the CloudTrail event name, for preview and logs.</summary>
    public string? MessageType { get; init; }

    public IReadOnlyList<AssessedRule> Added { get; init; } = [];

    public IReadOnlyList<AssessedRule> Removed { get; init; } = [];

    public IReadOnlyList<ChangedRule> Changed { get; init; } = [];

    /// <summary>Derived from the change's <see cref="TagState"/> (empty when either side is unknown).</summary>
    public IReadOnlyList<TagChange> TagChanges { get; init; } = [];

    /// <summary>
    /// For a change whose rules only the group's current state tells (an oversized item read from EC2): those rules.
    /// Empty otherwise.
    /// </summary>
    public IReadOnlyList<AssessedRule> CurrentRules { get; init; } = [];

    /// <summary>
    /// The messages to send, each to its own audience (see <see cref="MailDestination"/>); <see cref="Recipients"/> is
    /// their union. Empty means one message to <see cref="Recipients"/>.
    /// </summary>
    public IReadOnlyList<MailDestination> Destinations { get; init; } = [];

    /// <summary>Set when this change leaves the group's owners unnotified from now on (lost opt-in or every valid owner).</summary>
    public NotificationsTurnedOff? TurnedOff { get; init; }

    /// <summary>What the other source already mailed of this change (issue 17), for the mail; null when not correlated.</summary>
    public CoverageNote? Coverage { get; init; }

    /// <summary>When SgNotifier handled the change: with the change's time, how long after the call it was mailed.</summary>
    public DateTimeOffset? HandledAt { get; init; }

    public SecurityGroupIdentity? SecurityGroup => Change?.Group;

    /// <summary>CREATE, UPDATE or DELETE; null without a change.</summary>
    public string? ChangeType => Change?.Kind.ChangeType();

    /// <summary>When the change happened (Config capture time, CloudTrail event time).</summary>
    public DateTimeOffset? CaptureTime => Change?.Time;

    /// <summary>The CloudTrail event ids of the change (the call's own, or Config's <c>relatedEvents</c>).</summary>
    public IReadOnlyList<string> RelatedEvents => Change?.CloudTrailEventIds ?? (IgnoredEventId is { } id ? [id] : []);

    /// <summary>The CloudTrail event id of an ignored call (no change to carry it), for preview's <c>eventIds</c> and logs.</summary>
    public string? IgnoredEventId { get; init; }

    public ChangeKey? Key => Change?.Key;

    /// <summary>Who made the change: from the CloudTrail event itself, or looked up for Config (<c>Aws:LookupActors</c>).</summary>
    public ChangeActors Actors => Change?.Actors ?? ChangeActors.Off;

    /// <summary><see cref="Destinations"/>, or one message to <see cref="Recipients"/>.</summary>
    public IReadOnlyList<MailDestination> MailDestinations() =>
        Destinations.Count > 0 ? Destinations : [new MailDestination(string.Empty, MailAudience.Owners, Recipients)];

    /// <summary>
    /// This decision with the actors CloudTrail named; a change that switched the group's notifications off names them
    /// in its "now OFF" line as well (issue 13: say who silenced the group when it is known).
    /// </summary>
    public ChangeDecision WithActors(ChangeActors actors)
    {
        ArgumentNullException.ThrowIfNull(actors);
        if (Change is null)
        {
            return this;
        }

        return this with
        {
            Change = Change with { Actors = actors },
            TurnedOff = TurnedOff is { } off && actors.Actors.Count > 0
                ? off with { Actor = string.Join(", ", actors.Actors.Select(static a => a.Display).Distinct(StringComparer.Ordinal)) }
                : TurnedOff,
        };
    }

    public bool IsRisky =>
        Added.Any(static r => r.Risky) || Changed.Any(static c => c.After.Risky);

    public static ChangeDecision Ignore(string reason, string detail, string? messageType = null, SecurityGroupChange? change = null) =>
        new(DecisionOutcome.Ignore, reason, detail, change, [], [], null) { MessageType = messageType };
}

/// <summary>What the other source had already mailed of a change that is mailed anyway (something was not covered).</summary>
/// <param name="Covered">Atoms of this change the other source already mailed.</param>
/// <param name="Uncovered">Atoms nobody mailed yet: why this mail goes out.</param>
/// <param name="Reports">The other source's reports that covered part of it (source, time, event ids).</param>
public sealed record CoverageNote(int Covered, int Uncovered, IReadOnlyList<Ledger.AtomReport> Reports);
