using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Routing;

/// <summary>What one AWS Config message means for SgNotifier: ignore it (with a reason) or notify recipients of a change.</summary>
/// <param name="Reason">Stable kebab-case code (see README "Reason codes").</param>
/// <param name="Detail">One human sentence.</param>
/// <param name="MessageType">The Config <c>messageType</c>, or null when the message is not Config.</param>
/// <param name="ChangeType">CREATE, UPDATE or DELETE, when known.</param>
/// <param name="RoutedBy">Why the recipients get the mail, e.g. which tag and state opted the group in.</param>
/// <param name="Key">Dedupe key; null when the message has no resource identity.</param>
public sealed record ChangeDecision(
    DecisionOutcome Outcome,
    string Reason,
    string Detail,
    string? MessageType,
    SecurityGroupIdentity? SecurityGroup,
    string? ChangeType,
    DateTimeOffset? CaptureTime,
    IReadOnlyList<string> RelatedEvents,
    IReadOnlyList<string> Recipients,
    IReadOnlyList<RejectedRecipient> RejectedRecipients,
    IReadOnlyList<AssessedRule> Added,
    IReadOnlyList<AssessedRule> Removed,
    IReadOnlyList<ChangedRule> Changed,
    IReadOnlyList<TagChange> TagChanges,
    string? RoutedBy,
    ChangeKey? Key)
{
    /// <summary>
    /// For an oversized change that could only be inspected through EC2: the group's rules as they are now (the
    /// change itself is unknown). Empty otherwise.
    /// </summary>
    public IReadOnlyList<AssessedRule> CurrentRules { get; init; } = [];

    /// <summary>
    /// The messages to send, each to its own audience (see <see cref="MailDestination"/>); <see cref="Recipients"/> is
    /// their union. Empty means one message to <see cref="Recipients"/>.
    /// </summary>
    public IReadOnlyList<MailDestination> Destinations { get; init; } = [];

    /// <summary>Set when this change leaves the group's owners unnotified from now on (lost opt-in or every valid owner).</summary>
    public NotificationsTurnedOff? TurnedOff { get; init; }

    /// <summary><see cref="Destinations"/>, or one message to <see cref="Recipients"/>.</summary>
    public IReadOnlyList<MailDestination> MailDestinations() =>
        Destinations.Count > 0 ? Destinations : [new MailDestination(string.Empty, MailAudience.Owners, Recipients)];

    /// <summary>Who made the change, from CloudTrail (<c>Aws:LookupActors</c>); <see cref="ChangeActors.Off"/> until looked up.</summary>
    public ChangeActors Actors { get; init; } = ChangeActors.Off;

    /// <summary>
    /// This decision with the actors CloudTrail named; a change that switched the group's notifications off names them
    /// in its "now OFF" line as well (issue 13: say who silenced the group when it is known).
    /// </summary>
    public ChangeDecision WithActors(ChangeActors actors)
    {
        ArgumentNullException.ThrowIfNull(actors);
        return this with
        {
            Actors = actors,
            TurnedOff = TurnedOff is { } off && actors.Actors.Count > 0
                ? off with { Actor = string.Join(", ", actors.Actors.Select(static a => a.Display).Distinct(StringComparer.Ordinal)) }
                : TurnedOff,
        };
    }

    public bool IsRisky =>
        Added.Any(static r => r.Risky) || Changed.Any(static c => c.After.Risky);

    public static ChangeDecision Ignore(string reason, string detail, string? messageType = null) =>
        new(DecisionOutcome.Ignore, reason, detail, messageType, null, null, null,
            [], [], [], [], [], [], [], null, null);
}
