using System.Globalization;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// The Config adapter: turns a parsed AWS Config message into the one change model (<see cref="SecurityGroupChange"/>)
/// or a reason to ignore it. Pure: the S3 and EC2 reads of oversized items are <see cref="ConfigChangeSource"/>'s.
/// Rules before the change are the previous configuration, or the item's rules with the diff undone; tags before are
/// the item's tags with the diff's tag keys undone.
/// </summary>
public static class ConfigChangeReader
{
    private static readonly Dictionary<string, string> NoTags = new(StringComparer.Ordinal);

    /// <summary>Every kind but an oversized change, which needs AWS reads (<see cref="Uninspected"/>, <see cref="FromCurrentState"/>).</summary>
    public static SourceReading Read(ConfigMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Kind switch
        {
            ConfigMessageKind.NotConfig => new IgnoredReading(DecisionReasons.NotConfig, $"Not an AWS Config message: {message.Problem}."),
            ConfigMessageKind.UnknownMessageType => new IgnoredReading(
                DecisionReasons.UnknownMessageType, "AWS Config does not send this messageType.", message.MessageType),
            ConfigMessageKind.OtherNotification => new IgnoredReading(
                DecisionReasons.NotItemChange, "An AWS Config notification that is not about a configuration change.", message.MessageType),
            ConfigMessageKind.Malformed => new IgnoredReading(
                DecisionReasons.MalformedConfig, $"The AWS Config message could not be read: {message.Problem}.", message.MessageType),
            ConfigMessageKind.OversizedItemChange or ConfigMessageKind.OversizedDeliveryFailed => Uninspected(
                message, "fetching oversized items from S3 and looking groups up in EC2 are both disabled"),
            _ => ReadItemChange(message),
        };
    }

    /// <summary>
    /// An oversized change (or one Config could not deliver to S3) whose content could not be read: a change of unknown
    /// rules and tags, which routing sends to the fallback recipients.
    /// </summary>
    /// <param name="why">Why it could not be inspected, as a sentence fragment.</param>
    public static SourceReading Uninspected(ConfigMessage message, string why)
    {
        ArgumentNullException.ThrowIfNull(message);
        var summary = message.Summary ?? throw new ArgumentException("The message has no configurationItemSummary.", nameof(message));
        if (!summary.IsSecurityGroup)
        {
            return new IgnoredReading(DecisionReasons.NotSecurityGroup, $"A change of a {summary.ResourceType}, not of a security group.", message.MessageType);
        }

        var change = FromSummary(message, summary, why);
        if (message.Kind == ConfigMessageKind.OversizedDeliveryFailed)
        {
            return new IgnoredReading(
                DecisionReasons.OversizedDeliveryFailed,
                $"AWS Config could not deliver an oversized change of the group to S3 ({message.S3Delivery?.ErrorCode ?? "no error code"}).",
                message.MessageType,
                change,
                Loud: true);
        }

        return new ChangesRead([change]);
    }

    /// <summary>An oversized change inspected through EC2 only: the group's current tags and rules, the change itself unknown.</summary>
    public static SecurityGroupChange FromCurrentState(ConfigMessage message, SecurityGroupConfiguration current)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(current);
        var summary = message.Summary ?? throw new ArgumentException("The message has no configurationItemSummary.", nameof(message));
        var rules = PermissionFlattener.Flatten(current, summary.AwsAccountId).Select(static r => new IdentifiedRule(r, null)).ToList();
        return FromSummary(message, summary, null) with
        {
            Group = new SecurityGroupIdentity(
                summary.ResourceId, current.GroupName ?? summary.ResourceName, summary.AwsAccountId, summary.AwsRegion, current.VpcId, summary.Arn),
            Rules = new RuleChanges([], [], [], RuleCompleteness.CurrentOnly, rules, []),
            Tags = new TagState(null, current.Tags ?? NoTags),
            Note = "the change itself could not be read; these are the group's rules and tags as EC2 describes them now",
        };
    }

    /// <summary>The dedupe key of an oversized change: the summary's, whichever way its content is then read.</summary>
    public static ChangeKey KeyOf(ConfigurationItemSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new ChangeKey(summary.AwsAccountId, summary.AwsRegion, summary.ResourceId, StateId(summary.ConfigurationStateId, summary.ConfigurationItemCaptureTime));
    }

    /// <summary>The group's state after a change, for the group directory: Config tells the whole group.</summary>
    public static GroupState? StateAfter(SecurityGroupChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Time is not { } time || change.Tags.After is not { } tags)
        {
            return null;
        }

        var deleted = change.Kind == ChangeKind.Deleted;
        var rules = deleted || change.Rules.Completeness is RuleCompleteness.Known or RuleCompleteness.CurrentOnly ? change.Rules.Current : null;
        return new GroupState(change.Group, tags, rules, time, "config", deleted);
    }

    private static SecurityGroupChange FromSummary(ConfigMessage message, ConfigurationItemSummary summary, string? why) => new(
        new SecurityGroupIdentity(summary.ResourceId, summary.ResourceName, summary.AwsAccountId, summary.AwsRegion, null, summary.Arn),
        Kind(summary.ChangeType),
        RuleChanges.Unknown,
        TagState.Unknown,
        ChangeActors.Off,
        [new SourceEvent(ChangeSource.Config, StateId(summary.ConfigurationStateId, summary.ConfigurationItemCaptureTime), message.MessageType, summary.ConfigurationItemCaptureTime)],
        KeyOf(summary),
        why);

    private static ChangeKind Kind(string? changeType) => changeType switch
    {
        "CREATE" => ChangeKind.Created,
        "DELETE" => ChangeKind.Deleted,
        _ => ChangeKind.Updated,
    };

    private static SourceReading ReadItemChange(ConfigMessage message)
    {
        var item = message.Item ?? throw new ArgumentException("An item change without an item.", nameof(message));
        if (!item.IsSecurityGroup)
        {
            return new IgnoredReading(DecisionReasons.NotSecurityGroup, $"A change of a {item.ResourceType}, not of a security group.", message.MessageType);
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
        var account = item.AwsAccountId;
        var configuration = deleted ? null : item.Configuration;
        var stateId = StateId(item.ConfigurationStateId, item.ConfigurationItemCaptureTime);

        var events = new List<SourceEvent>(1 + item.RelatedEvents.Count)
        {
            new(ChangeSource.Config, stateId, message.MessageType, item.ConfigurationItemCaptureTime),
        };
        events.AddRange(item.RelatedEvents.Select(static id => new SourceEvent(ChangeSource.CloudTrail, id, null, null)));
        var change = new SecurityGroupChange(
            new SecurityGroupIdentity(
                item.ResourceId,
                configuration?.GroupName ?? previousConfiguration?.GroupName ?? item.ResourceName,
                account,
                item.AwsRegion,
                configuration?.VpcId ?? previousConfiguration?.VpcId,
                item.Arn),
            created ? ChangeKind.Created : deleted ? ChangeKind.Deleted : ChangeKind.Updated,
            RuleChanges.None,
            TagState.Unknown,
            ChangeActors.Off,
            events,
            new ChangeKey(account, item.AwsRegion, item.ResourceId, stateId));

        if (string.Equals(status, "ResourceNotRecorded", StringComparison.OrdinalIgnoreCase))
        {
            return new IgnoredReading(
                DecisionReasons.ResourceNotRecorded,
                "AWS Config stopped recording the group (ResourceNotRecorded): its rules and tags are no longer known.",
                message.MessageType,
                change);
        }

        var hasPreviousState = previousConfiguration is not null || diff is { PermissionChanges.Count: > 0 } || diff is { TagChanges.Count: > 0 };
        if (deleted && !hasPreviousState)
        {
            var notRecorded = string.Equals(status, "ResourceDeletedNotRecorded", StringComparison.OrdinalIgnoreCase);
            return new IgnoredReading(
                notRecorded ? DecisionReasons.ResourceNotRecorded : DecisionReasons.PreviousStateUnknown,
                notRecorded
                    ? "The group was deleted while AWS Config was not recording it: its previous owners are unknown."
                    : "The group was deleted but the notification carries no previous configuration: its previous owners are unknown.",
                message.MessageType,
                change,
                Loud: !notRecorded);
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

        return new ChangesRead([change with
        {
            Rules = new RuleChanges(
                ruleDiff.Added.Select(static r => new IdentifiedRule(r, null)).ToList(),
                ruleDiff.Removed.Select(static r => new IdentifiedRule(r, null)).ToList(),
                ruleDiff.Changed.Select(static c => new RuleModification(c.Before, c.After)).ToList(),
                RuleCompleteness.Known,
                Sorted(after).Select(static r => new IdentifiedRule(r, null)).ToList(),
                []),
            Tags = new TagState(previousTags, currentTags),
        }]);
    }

    private static string StateId(string? configurationStateId, DateTimeOffset? captureTime) =>
        configurationStateId ?? captureTime?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? "unknown";

    private static List<SecurityGroupRule> Sorted(IEnumerable<SecurityGroupRule> rules)
    {
        var list = rules.ToList();
        list.Sort(SecurityGroupRuleComparer.Instance);
        return list;
    }
}
