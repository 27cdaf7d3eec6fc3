using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Senders;

namespace SgNotifier.Core.Routing;

/// <summary>
/// Decides, from a parsed Config message and the <see cref="NotifyOptions"/>, whether anyone must hear about it, who,
/// and what exactly changed. Decides on the previous AND the current tags, so that switching notifications off or
/// re-pointing the owner tag in the same change still reaches the owners who were in charge.
/// </summary>
public static class ChangeRouter
{
    private static readonly Dictionary<string, string> NoTags = new(StringComparer.Ordinal);

    /// <summary>
    /// Routes one change, whichever source reported it: on its previous AND current tags when both are known, on the
    /// known side otherwise, and to <c>Notify:FallbackRecipients</c> when no tags are known at all.
    /// </summary>
    public static ChangeDecision Route(SecurityGroupChange change, NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(options);
        var group = change.Group;
        if (!IsAccountAllowed(group.AccountId, options))
        {
            return ChangeDecision.Ignore(DecisionReasons.AccountNotAllowed, $"Account {group.AccountId} is not in Notify:AllowedAccountIds.", MessageTypeOf(change));
        }

        var riskyPorts = options.EffectiveRiskyPorts;
        var rules = change.Rules;
        var decision = new ChangeDecision(DecisionOutcome.Ignore, DecisionReasons.NoChange, string.Empty, change, [], [], null)
        {
            MessageType = MessageTypeOf(change),
            Added = rules.Added.Select(r => RuleRiskAssessor.Assess(r.Rule, riskyPorts) with { RuleId = r.RuleId }).ToList(),
            Removed = rules.Removed.Select(r => RuleRiskAssessor.Assess(r.Rule, riskyPorts) with { RuleId = r.RuleId }).ToList(),
            Changed = rules.Changed
                .Select(c => new ChangedRule(c.Before is null ? null : RuleRiskAssessor.Assess(c.Before, riskyPorts), RuleRiskAssessor.Assess(c.After, riskyPorts), c.RuleId))
                .ToList(),
            CurrentRules = rules.Completeness == RuleCompleteness.CurrentOnly
                ? Sorted(rules.Current.Select(static r => r.Rule)).Select(r => RuleRiskAssessor.Assess(r, riskyPorts)).ToList()
                : [],
            TagChanges = change.Tags is { Before: { } b, After: { } a } ? TagSetDiff.Compare(b, a) : [],
        };

        var (previousTags, currentTags) = (change.Tags.Before, change.Tags.After);
        if (previousTags is null && currentTags is null)
        {
            return RouteUnknownOwners(decision, change, options);
        }

        var previousOptIn = previousTags is not null && IsOptedIn(previousTags, options);
        var currentOptIn = currentTags is not null && IsOptedIn(currentTags, options);

        // A removal (or overwrite) of the opt-in tag whose value nobody knew (a DeleteTags or CreateTags on a group never
        // seen) may have switched the group off: the owners named before and after (else the fallback recipients) hear
        // of it, never nobody.
        var optInMayBeLost = !previousOptIn && !currentOptIn &&
            change.Tags.UnknownKeys.Any(k => k == TagState.AnyKey || TagText.KeyIs(k, options.NotifyOnChangeTagKey));
        if (optInMayBeLost)
        {
            // The owners named before (a DeleteTags that gave OwnerDL's value) and after, together.
            var before = Owners(previousTags ?? NoTags, options);
            var after = Owners(currentTags ?? NoTags, options);
            var owners = new RecipientList(
                before.Addresses.Union(after.Addresses, StringComparer.Ordinal).Take(options.MaxRecipients).Order(StringComparer.Ordinal).ToList(),
                before.Rejected.Union(after.Rejected).ToList());
            var to = owners.Addresses.Count > 0 ? owners.Addresses.ToList() : Fallback(options);
            if (to.Count > 0)
            {
                return decision with
                {
                    Outcome = DecisionOutcome.Notify,
                    Reason = DecisionReasons.Changed,
                    Detail = "The security group's tags changed, and the change may have switched its notifications off.",
                    Recipients = to,
                    RejectedRecipients = owners.Rejected,
                    RoutedBy = owners.Addresses.Count > 0
                        ? $"{options.NotifyOnChangeTagKey} changed and its previous value is unknown; recipients from {options.OwnerTagKey} (previous and current tags)"
                        : $"{options.NotifyOnChangeTagKey} changed and its previous value is unknown; no valid {options.OwnerTagKey} address, so Notify:FallbackRecipients",
                    Destinations = [new MailDestination(string.Empty, owners.Addresses.Count > 0 ? MailAudience.Owners : MailAudience.Fallback, to)],
                    TurnedOff = new NotificationsTurnedOff($"{options.NotifyOnChangeTagKey} no longer says yes or true, and its previous value is unknown (SgNotifier had not seen the group before)"),
                };
            }
        }

        if (!previousOptIn && !currentOptIn)
        {
            return decision with
            {
                Reason = DecisionReasons.NotificationsOff,
                Detail = previousTags is null
                    ? $"The group's current tags do not set {options.NotifyOnChangeTagKey} to yes or true; its previous tags are unknown."
                    : currentTags is null
                        ? $"The group's previous tags did not set {options.NotifyOnChangeTagKey} to yes or true; its current tags are unknown."
                        : $"Neither the previous nor the current tags of the group set {options.NotifyOnChangeTagKey} to yes or true.",
            };
        }

        var previousOwners = Owners(previousTags ?? NoTags, options);
        var currentOwners = Owners(currentTags ?? NoTags, options);
        var (destinations, overBudget) = OwnerDestinations(previousOwners.Addresses, currentOwners.Addresses, options);
        var rejected = previousOwners.Rejected.Union(currentOwners.Rejected).Union(overBudget).ToList();
        // Only the current tags known (an oversized item or a CloudTrail call on a group never seen): they come from EC2.
        var optedInBy = previousTags is null
            ? $"{options.NotifyOnChangeTagKey} opts the group in (current tags, read from EC2)"
            : $"{options.NotifyOnChangeTagKey}=yes on the group ({States(previousOptIn, currentOptIn, previousTags is not null, currentTags is not null)})";
        var ownersFrom = States(previousOwners.Addresses.Count > 0, currentOwners.Addresses.Count > 0, previousTags is not null, currentTags is not null);
        string routedBy;
        if (destinations.Count > 0)
        {
            routedBy = previousTags is null
                ? $"{optedInBy}; recipients from {options.OwnerTagKey}"
                : $"{optedInBy}; recipients from {options.OwnerTagKey} ({ownersFrom})";
        }
        else
        {
            var fallback = Fallback(options);
            destinations = fallback.Count > 0 ? [new MailDestination(string.Empty, MailAudience.Fallback, fallback)] : [];
            routedBy = $"{optedInBy}; no valid {options.OwnerTagKey} address, so Notify:FallbackRecipients";
        }

        var recipients = destinations.SelectMany(static d => d.Recipients).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        decision = decision with { RejectedRecipients = rejected };
        if (recipients.Count == 0)
        {
            return decision with
            {
                Reason = DecisionReasons.NoRecipients,
                Detail = $"The group opts in but has no valid {options.OwnerTagKey} address and Notify:FallbackRecipients is empty.",
            };
        }

        var currentOnly = rules.Completeness == RuleCompleteness.CurrentOnly;
        if (change.Kind == ChangeKind.Updated && !currentOnly && rules.IsEmpty && decision.TagChanges.Count == 0)
        {
            return decision with
            {
                Reason = DecisionReasons.NoChange,
                Detail = "The change touched neither the group's rules nor its tags.",
            };
        }

        return decision with
        {
            Outcome = DecisionOutcome.Notify,
            Reason = currentOnly ? DecisionReasons.OversizedCurrentState : DecisionReasons.Changed,
            Detail = currentOnly
                ? "AWS Config reported a change too large for a notification; the change itself could not be read, so this shows the group's rules as EC2 describes them now."
                : change.Kind switch
                {
                    ChangeKind.Created => "The security group was created.",
                    ChangeKind.Deleted => "The security group was deleted.",
                    _ => "The security group's rules or tags changed.",
                },
            Recipients = recipients,
            RoutedBy = routedBy,
            Destinations = destinations,
            TurnedOff = change.Kind == ChangeKind.Updated && previousTags is not null && currentTags is not null
                ? TurnedOff(previousOptIn, currentOptIn, previousOwners, currentOwners, options)
                : null,
        };
    }

    /// <summary>
    /// The verdict on a message a source did not read as a change: its reason, or <c>account-not-allowed</c> when it
    /// is about a group of an account outside <c>Notify:AllowedAccountIds</c> (checked before any other reason).
    /// </summary>
    public static ChangeDecision Decide(IgnoredReading ignored, NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(ignored);
        ArgumentNullException.ThrowIfNull(options);
        return ignored.Context is { } context && !IsAccountAllowed(context.Group.AccountId, options)
            ? ChangeDecision.Ignore(DecisionReasons.AccountNotAllowed, $"Account {context.Group.AccountId} is not in Notify:AllowedAccountIds.", ignored.MessageType)
            : ChangeDecision.Ignore(ignored.Reason, ignored.Detail, ignored.MessageType, ignored.Context) with { IgnoredEventId = ignored.EventId };
    }

    /// <summary>
    /// A change whose group's tags no source could tell (an oversized Config item that could not be read, a CloudTrail
    /// call on a group the directory never saw and EC2 cannot describe): the fallback recipients hear that it happened,
    /// or, with none configured, it is ignored with a reason to log loudly.
    /// </summary>
    private static ChangeDecision RouteUnknownOwners(ChangeDecision decision, SecurityGroupChange change, NotifyOptions options)
    {
        var oversized = change.Source == ChangeSource.Config;
        var why = (change.Note ?? "its tags are unknown").TrimEnd('.');
        var fallback = Fallback(options);
        if (fallback.Count == 0)
        {
            return decision with
            {
                Reason = oversized ? DecisionReasons.OversizedNoFallback : DecisionReasons.OwnersUnknownNoFallback,
                Detail = oversized
                    ? $"An oversized change of the group could not be inspected ({why}) and Notify:FallbackRecipients is empty."
                    : $"The group's owners are unknown ({why}) and Notify:FallbackRecipients is empty.",
            };
        }

        return decision with
        {
            Outcome = DecisionOutcome.Notify,
            Reason = oversized ? DecisionReasons.OversizedUninspected : DecisionReasons.OwnersUnknown,
            Detail = oversized
                ? $"AWS Config reported a change too large for a notification, and it could not be inspected ({why}): check the group's rules and tags."
                : $"The group's owners are unknown ({why}): the fallback recipients are told instead.",
            Recipients = fallback,
            RoutedBy = oversized
                ? "Notify:FallbackRecipients, because the change could not be inspected"
                : "Notify:FallbackRecipients, because the group's tags are unknown",
        };
    }

    private static string? MessageTypeOf(SecurityGroupChange change) => change.Events.Count > 0 ? change.Events[0].Name : null;

    /// <summary>
    /// Tag keys match ignoring case and invisible characters (<see cref="TagText"/>), so <c>notifyonchange</c> or a
    /// zero-width space is not a silent way out; any matching key saying yes opts in.
    /// </summary>
    public static bool IsOptedIn(IReadOnlyDictionary<string, string> tags, NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(options);
        return TagValues(tags, options.NotifyOnChangeTagKey)
            .Select(TagText.Normalize)
            .Any(static v => string.Equals(v, "yes", StringComparison.OrdinalIgnoreCase) || string.Equals(v, "true", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The owners named by every key that reads as the owner tag, the exactly spelled key first, in the order written,
    /// at most <see cref="NotifyOptions.MaxRecipientsPerTag"/> together: <c>ownerdl</c> and <c>OWNERDL</c> do not
    /// multiply the budget. The excess is rejected as <see cref="RecipientParser.TooManyRecipients"/>.
    /// </summary>
    public static RecipientList Owners(IReadOnlyDictionary<string, string> tags, NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(tags);
        ArgumentNullException.ThrowIfNull(options);
        var domains = options.AllowedRecipientDomains?.ToList();
        var kept = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var rejected = new List<RejectedRecipient>();
        foreach (var value in TagValues(tags, options.OwnerTagKey))
        {
            foreach (var (token, reason) in RecipientParser.Tokens(TagText.Normalize(value), domains))
            {
                if (reason is not null)
                {
                    rejected.Add(new RejectedRecipient(token, reason));
                }
                else if (seen.Add(token))
                {
                    if (kept.Count < options.MaxRecipientsPerTag)
                    {
                        kept.Add(token);
                    }
                    else
                    {
                        rejected.Add(new RejectedRecipient(token, RecipientParser.TooManyRecipients));
                    }
                }
            }
        }

        return new RecipientList(kept.Order(StringComparer.Ordinal).ToList(), rejected.Distinct().ToList());
    }

    public static bool IsAccountAllowed(string accountId, NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.AllowedAccountIds is not { Count: > 0 } allowed || allowed.Contains(accountId, StringComparer.Ordinal);
    }

    /// <summary>Keys that read as <paramref name="key"/>: the exactly spelled one first, then the others in ordinal order.</summary>
    private static IEnumerable<string> TagValues(IReadOnlyDictionary<string, string> tags, string key) =>
        tags.Where(t => TagText.KeyIs(t.Key, key))
            .OrderBy(t => string.Equals(t.Key, key, StringComparison.Ordinal) ? 0 : 1)
            .ThenBy(static t => t.Key, StringComparer.Ordinal)
            .Select(static t => t.Value);

    /// <summary>
    /// The owners' messages. When the change re-points the owner tag, the previous owners get a message of their own
    /// (so they hear even if the new list is refused, and do not see it in their To: line) and the added addresses
    /// another, within <see cref="NotifyOptions.MaxRecipients"/> left after the previous owners.
    /// </summary>
    private static (List<MailDestination> Destinations, List<RejectedRecipient> OverBudget) OwnerDestinations(
        IReadOnlyList<string> previous, IReadOnlyList<string> current, NotifyOptions options)
    {
        var added = current.Except(previous, StringComparer.Ordinal).ToList();
        if (previous.Count == 0 || added.Count == 0)
        {
            var owners = previous.Count > 0 ? previous : current;
            return (owners.Count == 0 ? [] : [new MailDestination(string.Empty, MailAudience.Owners, owners)], []);
        }

        var room = Math.Max(0, options.MaxRecipients - previous.Count);
        var kept = added.Take(room).ToList();
        var overBudget = added.Skip(room).Select(static a => new RejectedRecipient(a, RecipientParser.TooManyRecipients)).ToList();
        var destinations = new List<MailDestination>
        {
            new(string.Empty, MailAudience.PreviousOwners, previous,
                kept.Count == 0 ? null : $"The addresses this change added to {options.OwnerTagKey} were told in a separate message: {AddressMask.MaskAll(kept)}."),
        };
        if (kept.Count > 0)
        {
            destinations.Add(new MailDestination(MailDestination.NewOwnersId, MailAudience.NewOwners, kept,
                $"The previous owners ({options.OwnerTagKey} before this change) were told in a separate message: {AddressMask.MaskAll(previous)}."));
        }

        return (destinations, overBudget);
    }

    /// <summary>Whether this change leaves the owners unnotified from now on; null when they will still hear.</summary>
    private static NotificationsTurnedOff? TurnedOff(bool previousOptIn, bool currentOptIn, RecipientList previousOwners, RecipientList currentOwners, NotifyOptions options)
    {
        if (previousOptIn && !currentOptIn)
        {
            return new NotificationsTurnedOff($"{options.NotifyOnChangeTagKey} no longer says yes or true");
        }

        if (currentOptIn && previousOwners.Addresses.Count > 0 && currentOwners.Addresses.Count == 0)
        {
            return new NotificationsTurnedOff(Fallback(options).Count > 0
                ? $"{options.OwnerTagKey} no longer holds a valid address; only Notify:FallbackRecipients will hear of later changes"
                : $"{options.OwnerTagKey} no longer holds a valid address");
        }

        return null;
    }

    private static List<string> Fallback(NotifyOptions options) =>
        (options.FallbackRecipients ?? [])
        .Where(RecipientParser.IsValidAddress)
        .Select(static a => a.ToLowerInvariant())
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToList();

    private static string States(bool previous, bool current, bool previousKnown, bool currentKnown) => (previous, current) switch
    {
        (true, true) => "previous and current tags",
        (true, false) => currentKnown ? "previous tags only" : "previous tags; current tags unknown",
        (false, true) => previousKnown ? "current tags" : "current tags; previous tags unknown",
        _ => "no tags",
    };

    private static List<SecurityGroupRule> Sorted(IEnumerable<SecurityGroupRule> rules)
    {
        var list = rules.ToList();
        list.Sort(SecurityGroupRuleComparer.Instance);
        return list;
    }
}
