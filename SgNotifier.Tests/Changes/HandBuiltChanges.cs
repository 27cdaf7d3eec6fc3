using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Tests.Changes;

/// <summary>
/// <see cref="SecurityGroupChange"/>s built the way each source's adapter describes one change: Config from an item's
/// diff (descriptions, the default egress rule, whole tag maps), CloudTrail from the API call (no description on a
/// revoke, no rules on a delete).
/// </summary>
internal static class HandBuiltChanges
{
    public const string AccountId = "123456789012";
    public const string Region = "eu-west-1";
    public const string GroupId = "sg-0a1b2c3d4e5f67890";

    public static readonly DateTimeOffset CallTime = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static SecurityGroupIdentity Group(string groupId = GroupId, string accountId = AccountId, string region = Region) =>
        new(groupId, "web", accountId, region, "vpc-0a1b2c3d", null);

    public static SecurityGroupChange FromConfig(
        ChangeKind kind, RuleChanges? rules = null, TagState? tags = null, DateTimeOffset? capturedAt = null, SecurityGroupIdentity? group = null, string stateId = "1700000000001")
    {
        var g = group ?? Group();
        return new SecurityGroupChange(
            g, kind, rules ?? RuleChanges.None, tags ?? Unchanged, ChangeActors.Off,
            [new SourceEvent(ChangeSource.Config, stateId, "ConfigurationItemChangeNotification", capturedAt)],
            new ChangeKey(g.AccountId, g.Region, g.Id, stateId, ChangeSource.Config));
    }

    public static SecurityGroupChange FromCloudTrail(
        ChangeKind kind, RuleChanges? rules = null, TagState? tags = null, DateTimeOffset? eventTime = null, SecurityGroupIdentity? group = null,
        string eventId = "3e1a5c7b-0000-4000-8000-000000000001", string eventName = "AuthorizeSecurityGroupIngress")
    {
        var g = group ?? Group();
        return new SecurityGroupChange(
            g, kind, rules ?? RuleChanges.None, tags ?? Unchanged, ChangeActors.Off,
            [new SourceEvent(ChangeSource.CloudTrail, eventId, eventName, eventTime)],
            new ChangeKey(g.AccountId, g.Region, g.Id, eventId, ChangeSource.CloudTrail));
    }

    public static TagState Unchanged => new(Tags(("Name", "web")), Tags(("Name", "web")));

    public static RuleChanges Rules(
        IEnumerable<SecurityGroupRule>? added = null,
        IEnumerable<SecurityGroupRule>? removed = null,
        IEnumerable<RuleModification>? changed = null,
        RuleCompleteness completeness = RuleCompleteness.Known,
        IEnumerable<SecurityGroupRule>? current = null,
        IEnumerable<string>? unknownRuleIds = null,
        bool withRuleIds = false) =>
        new(
            Identified(added, withRuleIds), Identified(removed, withRuleIds), [.. changed ?? []], completeness, Identified(current, withRuleIds),
            [.. unknownRuleIds ?? []]);

    public static SecurityGroupRule Ingress(string protocol, int? from, int? to, string peer, string? description = null) =>
        new(RuleDirection.Ingress, protocol, from, to, peer, description);

    public static SecurityGroupRule Egress(string protocol, int? from, int? to, string peer, string? description = null) =>
        new(RuleDirection.Egress, protocol, from, to, peer, description);

    public static SecurityGroupRule DefaultEgress => Egress("all", null, null, "0.0.0.0/0");

    public static IReadOnlyDictionary<string, string> Tags(params (string Key, string Value)[] tags) =>
        tags.ToDictionary(static t => t.Key, static t => t.Value, StringComparer.Ordinal);

    /// <summary>CloudTrail responses give <c>sgr-</c> ids, Config items none: atoms must not depend on them.</summary>
    private static IdentifiedRule[] Identified(IEnumerable<SecurityGroupRule>? rules, bool withRuleIds) =>
        [.. (rules ?? []).Select((r, i) => new IdentifiedRule(r, withRuleIds ? $"sgr-0{i:D16}" : null))];
}
