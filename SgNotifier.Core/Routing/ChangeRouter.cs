using System.Globalization;
using SgNotifier.Core.Config;
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

    public static ChangeDecision Decide(ConfigMessage message, NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        return message.Kind switch
        {
            ConfigMessageKind.NotConfig => ChangeDecision.Ignore(
                DecisionReasons.NotConfig, $"Not an AWS Config message: {message.Problem}."),
            ConfigMessageKind.UnknownMessageType => ChangeDecision.Ignore(
                DecisionReasons.UnknownMessageType, "AWS Config does not send this messageType.", message.MessageType),
            ConfigMessageKind.OtherNotification => ChangeDecision.Ignore(
                DecisionReasons.NotItemChange, "An AWS Config notification that is not about a configuration change.", message.MessageType),
            ConfigMessageKind.Malformed => ChangeDecision.Ignore(
                DecisionReasons.MalformedConfig, $"The AWS Config message could not be read: {message.Problem}.", message.MessageType),
            ConfigMessageKind.OversizedItemChange or ConfigMessageKind.OversizedDeliveryFailed => DecideOversized(
                message, options, "fetching oversized items from S3 and looking groups up in EC2 are both disabled"),
            _ => DecideItemChange(message, options),
        };
    }

    /// <summary>
    /// An oversized change (or one Config could not deliver to S3) whose content could not be read:
    /// the fallback recipients hear that it happened, or, with none configured, it is ignored with a reason to log loudly.
    /// </summary>
    /// <param name="why">Why it could not be inspected, as a sentence fragment for <see cref="ChangeDecision.Detail"/>.</param>
    public static ChangeDecision DecideOversized(ConfigMessage message, NotifyOptions options, string why)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(options);
        var summary = message.Summary ?? throw new ArgumentException("The message has no configurationItemSummary.", nameof(message));
        var baseline = FromSummary(message, summary);
        if (!summary.IsSecurityGroup)
        {
            return baseline with { Reason = DecisionReasons.NotSecurityGroup, Detail = $"A change of a {summary.ResourceType}, not of a security group." };
        }

        if (!IsAccountAllowed(summary.AwsAccountId, options))
        {
            return AccountNotAllowed(summary.AwsAccountId, message.MessageType);
        }

        if (message.Kind == ConfigMessageKind.OversizedDeliveryFailed)
        {
            return baseline with
            {
                Reason = DecisionReasons.OversizedDeliveryFailed,
                Detail = $"AWS Config could not deliver an oversized change of the group to S3 ({message.S3Delivery?.ErrorCode ?? "no error code"}).",
            };
        }

        var fallback = Fallback(options);
        if (fallback.Count == 0)
        {
            return baseline with
            {
                Reason = DecisionReasons.OversizedNoFallback,
                Detail = $"An oversized change of the group could not be inspected ({why}) and Notify:FallbackRecipients is empty.",
            };
        }

        return baseline with
        {
            Outcome = DecisionOutcome.Notify,
            Reason = DecisionReasons.OversizedUninspected,
            Detail = $"AWS Config reported a change too large for a notification, and it could not be inspected ({why}): check the group's rules and tags.",
            Recipients = fallback,
            RoutedBy = "Notify:FallbackRecipients, because the change could not be inspected",
        };
    }

    /// <summary>An oversized change inspected through EC2 only: routed on the group's current tags, showing its current rules.</summary>
    public static ChangeDecision DecideFromCurrentState(ConfigMessage message, SecurityGroupConfiguration current, NotifyOptions options)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(options);
        var summary = message.Summary ?? throw new ArgumentException("The message has no configurationItemSummary.", nameof(message));
        var tags = current.Tags ?? NoTags;
        var riskyPorts = options.EffectiveRiskyPorts;
        var baseline = FromSummary(message, summary) with
        {
            SecurityGroup = new SecurityGroupIdentity(
                summary.ResourceId, current.GroupName ?? summary.ResourceName, summary.AwsAccountId, summary.AwsRegion, current.VpcId, summary.Arn),
            CurrentRules = Sorted(PermissionFlattener.Flatten(current, summary.AwsAccountId)).Select(r => RuleRiskAssessor.Assess(r, riskyPorts)).ToList(),
        };

        if (!IsOptedIn(tags, options))
        {
            return baseline with
            {
                Reason = DecisionReasons.NotificationsOff,
                Detail = $"An oversized change of a group whose current tags do not opt in ({options.NotifyOnChangeTagKey}); its previous tags are unknown.",
            };
        }

        var owners = Owners(tags, options);
        var (recipients, routedBy) = owners.Addresses.Count > 0
            ? (owners.Addresses, $"{options.NotifyOnChangeTagKey} opts the group in (current tags, read from EC2); recipients from {options.OwnerTagKey}")
            : (Fallback(options), $"{options.NotifyOnChangeTagKey} opts the group in (current tags, read from EC2); no valid {options.OwnerTagKey} address, so Notify:FallbackRecipients");
        if (recipients.Count == 0)
        {
            return baseline with
            {
                Reason = DecisionReasons.NoRecipients,
                Detail = $"The group opts in but has no valid {options.OwnerTagKey} address and Notify:FallbackRecipients is empty.",
                RejectedRecipients = owners.Rejected,
            };
        }

        return baseline with
        {
            Outcome = DecisionOutcome.Notify,
            Reason = DecisionReasons.OversizedCurrentState,
            Detail = "AWS Config reported a change too large for a notification; the change itself could not be read, so this shows the group's rules as EC2 describes them now.",
            Recipients = recipients,
            RejectedRecipients = owners.Rejected,
            RoutedBy = routedBy,
        };
    }

    private static ChangeDecision DecideItemChange(ConfigMessage message, NotifyOptions options)
    {
        var item = message.Item ?? throw new ArgumentException("An item change without an item.", nameof(message));
        if (!item.IsSecurityGroup)
        {
            return ChangeDecision.Ignore(DecisionReasons.NotSecurityGroup, $"A change of a {item.ResourceType}, not of a security group.", message.MessageType);
        }

        if (!IsAccountAllowed(item.AwsAccountId, options))
        {
            return AccountNotAllowed(item.AwsAccountId, message.MessageType);
        }

        var diff = message.Diff;
        var status = item.ConfigurationItemStatus;
        var previousConfiguration = diff?.Configuration?.PreviousValue;
        var deleted = string.Equals(diff?.ChangeType, "DELETE", StringComparison.Ordinal) ||
                      string.Equals(status, "ResourceDeleted", StringComparison.OrdinalIgnoreCase) ||
                      string.Equals(status, "ResourceDeletedNotRecorded", StringComparison.OrdinalIgnoreCase) ||
                      item.Configuration is null;
        var created = !deleted && (string.Equals(diff?.ChangeType, "CREATE", StringComparison.Ordinal) ||
                                   (diff is null && string.Equals(status, "ResourceDiscovered", StringComparison.OrdinalIgnoreCase)));
        var changeType = created ? "CREATE" : deleted ? "DELETE" : "UPDATE";
        var account = item.AwsAccountId;
        var configuration = deleted ? null : item.Configuration;

        var baseline = new ChangeDecision(
            DecisionOutcome.Ignore,
            DecisionReasons.NoChange,
            string.Empty,
            message.MessageType,
            new SecurityGroupIdentity(
                item.ResourceId,
                configuration?.GroupName ?? previousConfiguration?.GroupName ?? item.ResourceName,
                account,
                item.AwsRegion,
                configuration?.VpcId ?? previousConfiguration?.VpcId,
                item.Arn),
            changeType,
            item.ConfigurationItemCaptureTime,
            item.RelatedEvents,
            [],
            [],
            [],
            [],
            [],
            [],
            null,
            new ChangeKey(account, item.AwsRegion, item.ResourceId, StateId(item.ConfigurationStateId, item.ConfigurationItemCaptureTime)));

        if (string.Equals(status, "ResourceNotRecorded", StringComparison.OrdinalIgnoreCase))
        {
            return baseline with
            {
                Reason = DecisionReasons.ResourceNotRecorded,
                Detail = "AWS Config stopped recording the group (ResourceNotRecorded): its rules and tags are no longer known.",
            };
        }

        var hasPreviousState = previousConfiguration is not null || diff is { PermissionChanges.Count: > 0 } || diff is { TagChanges.Count: > 0 };
        if (deleted && !hasPreviousState)
        {
            var notRecorded = string.Equals(status, "ResourceDeletedNotRecorded", StringComparison.OrdinalIgnoreCase);
            return baseline with
            {
                Reason = notRecorded ? DecisionReasons.ResourceNotRecorded : DecisionReasons.PreviousStateUnknown,
                Detail = notRecorded
                    ? "The group was deleted while AWS Config was not recording it: its previous owners are unknown."
                    : "The group was deleted but the notification carries no previous configuration: its previous owners are unknown.",
            };
        }

        // Rules: after from the item; before = (after − updated values) + previous values, or the whole previous configuration.
        var after = PermissionFlattener.Flatten(configuration, account);
        IReadOnlyList<SecurityGroupRule> before;
        if (created)
        {
            before = [];
        }
        else if (previousConfiguration is not null)
        {
            before = PermissionFlattener.Flatten(previousConfiguration, account);
        }
        else
        {
            var changes = diff?.PermissionChanges ?? [];
            before = RuleSetDiff.Reconstruct(
                after,
                changes.SelectMany(c => c.UpdatedValue.SelectMany(p => PermissionFlattener.Flatten(c.Direction, p, account))),
                changes.SelectMany(c => c.PreviousValue.SelectMany(p => PermissionFlattener.Flatten(c.Direction, p, account))));
        }

        var ruleDiff = RuleSetDiff.Compare(before, after);

        // Tags: the item's map, else the configuration's list; before = current with the diff's tag keys undone.
        IReadOnlyDictionary<string, string> currentTags = item.Tags.Count > 0 ? item.Tags : configuration?.Tags ?? NoTags;
        var previousTags = created ? new Dictionary<string, string>(StringComparer.Ordinal) : TagSetDiff.Undo(currentTags, diff?.TagChanges ?? []);
        foreach (var (key, value) in previousConfiguration?.Tags ?? NoTags)
        {
            previousTags.TryAdd(key, value);
        }

        var riskyPorts = options.EffectiveRiskyPorts;
        var decision = baseline with
        {
            Added = ruleDiff.Added.Select(r => RuleRiskAssessor.Assess(r, riskyPorts)).ToList(),
            Removed = ruleDiff.Removed.Select(r => RuleRiskAssessor.Assess(r, riskyPorts)).ToList(),
            Changed = ruleDiff.Changed
                .Select(c => new ChangedRule(RuleRiskAssessor.Assess(c.Before, riskyPorts), RuleRiskAssessor.Assess(c.After, riskyPorts)))
                .ToList(),
            TagChanges = TagSetDiff.Compare(previousTags, currentTags),
        };

        var previousOptIn = IsOptedIn(previousTags, options);
        var currentOptIn = IsOptedIn(currentTags, options);
        if (!previousOptIn && !currentOptIn)
        {
            return decision with
            {
                Reason = DecisionReasons.NotificationsOff,
                Detail = $"Neither the previous nor the current tags of the group set {options.NotifyOnChangeTagKey} to yes or true.",
            };
        }

        var previousOwners = Owners(previousTags, options);
        var currentOwners = Owners(currentTags, options);
        var (destinations, overBudget) = OwnerDestinations(previousOwners.Addresses, currentOwners.Addresses, options);
        var rejected = previousOwners.Rejected.Union(currentOwners.Rejected).Union(overBudget).ToList();
        var optedInBy = $"{options.NotifyOnChangeTagKey}=yes on the group ({States(previousOptIn, currentOptIn)})";
        var ownersFrom = States(previousOwners.Addresses.Count > 0, currentOwners.Addresses.Count > 0);
        string routedBy;
        if (destinations.Count > 0)
        {
            routedBy = $"{optedInBy}; recipients from {options.OwnerTagKey} ({ownersFrom})";
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

        if (!created && !deleted && ruleDiff.IsEmpty && decision.TagChanges.Count == 0)
        {
            return decision with
            {
                Reason = DecisionReasons.NoChange,
                Detail = "The change touched neither the group's rules nor its tags.",
            };
        }

        decision = decision with
        {
            Destinations = destinations,
            TurnedOff = created || deleted ? null : TurnedOff(previousOptIn, currentOptIn, previousOwners, currentOwners, options),
        };
        return decision with
        {
            Outcome = DecisionOutcome.Notify,
            Reason = DecisionReasons.Changed,
            Detail = changeType switch
            {
                "CREATE" => "The security group was created.",
                "DELETE" => "The security group was deleted.",
                _ => "The security group's rules or tags changed.",
            },
            Recipients = recipients,
            RoutedBy = routedBy,
        };
    }

    private static ChangeDecision FromSummary(ConfigMessage message, ConfigurationItemSummary summary) => new(
        DecisionOutcome.Ignore,
        DecisionReasons.OversizedNoFallback,
        string.Empty,
        message.MessageType,
        new SecurityGroupIdentity(summary.ResourceId, summary.ResourceName, summary.AwsAccountId, summary.AwsRegion, null, summary.Arn),
        summary.ChangeType,
        summary.ConfigurationItemCaptureTime,
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        null,
        KeyOf(summary));

    /// <summary>The dedupe key of an oversized change: the summary's, whichever way its content is then read.</summary>
    public static ChangeKey KeyOf(ConfigurationItemSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new ChangeKey(summary.AwsAccountId, summary.AwsRegion, summary.ResourceId, StateId(summary.ConfigurationStateId, summary.ConfigurationItemCaptureTime));
    }

    private static string StateId(string? configurationStateId, DateTimeOffset? captureTime) =>
        configurationStateId ?? captureTime?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? "unknown";

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

    private static ChangeDecision AccountNotAllowed(string accountId, string? messageType) => ChangeDecision.Ignore(
        DecisionReasons.AccountNotAllowed, $"Account {accountId} is not in Notify:AllowedAccountIds.", messageType);

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

    private static string States(bool previous, bool current) => (previous, current) switch
    {
        (true, true) => "previous and current tags",
        (true, false) => "previous tags only",
        (false, true) => "current tags",
        _ => "no tags",
    };

    private static List<SecurityGroupRule> Sorted(IEnumerable<SecurityGroupRule> rules)
    {
        var list = rules.ToList();
        list.Sort(SecurityGroupRuleComparer.Instance);
        return list;
    }
}
