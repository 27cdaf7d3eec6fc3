using System.Globalization;
using System.Text.Json;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// Turns one <see cref="SecurityGroupApiCall"/> into the <see cref="SecurityGroupChange"/> of one of its groups, with
/// the group directory's last state before the call (<c>known</c>) and an EC2 read made now (<c>current</c>) filling
/// in what the event does not say. Pure: no I/O, clock or logger. The mail must never show an invented value: what no
/// input tells stays unknown (null, <see cref="RuleCompleteness.BeforeUnknown"/>, <see cref="RuleChanges.UnknownRuleIds"/>)
/// and <see cref="SecurityGroupChange.Note"/> says so in one sentence.
/// </summary>
public static class CloudTrailChangeBuilder
{
    /// <summary>The <see cref="GroupState.Origin"/> of states remembered from an API call.</summary>
    public const string Origin = "cloudtrail";

    private const string AwsTagPrefix = "aws:";
    private const int MaxNamedUnknowns = 5;

    /// <summary>
    /// The rule EC2 adds to every new security group, which CreateSecurityGroup's record does not show
    /// (REFERENCE-cloudtrail §b). Checked against AWS's documentation: the Amazon VPC User Guide (security groups) says
    /// "When you create a security group, it has no inbound rules" and "By default, a security group includes an
    /// outbound rule that allows all outbound traffic"; every group is a VPC group since EC2-Classic's retirement. An
    /// IPv6 twin (<c>::/0</c>) is documented for a VPC's default group and by the CloudFormation reference for
    /// template groups without egress rules, not for the EC2 API: it is not assumed (a Config item or an EC2 read shows
    /// it when it exists).
    /// </summary>
    public static readonly SecurityGroupRule DefaultEgressRule = new(RuleDirection.Egress, "all", null, null, "0.0.0.0/0", null);

    /// <param name="group">One of <see cref="SecurityGroupApiCall.Groups"/>, with its id resolved.</param>
    /// <param name="known">
    /// The group directory's last state of the group. Used as the state before the call only when it was observed
    /// at or before the call's time: deliveries arrive out of order, and a newer state may already include the call.
    /// A deletion uses any state: nothing changes a group after its deletion.
    /// </param>
    /// <param name="current">An EC2 read made after the call (it may also reflect later changes), or null.</param>
    /// <exception cref="ArgumentException">The group's id is not resolved, or a state is of another group.</exception>
    public static SecurityGroupChange Build(SecurityGroupApiCall call, CloudTrailGroupRef group, GroupState? known, GroupState? current)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(group);
        var groupId = group.GroupId ?? throw new ArgumentException("the group's id must be resolved (DescribeSecurityGroups by name) before its change is built", nameof(group));
        RequireSameGroup(known, groupId, nameof(known));
        RequireSameGroup(current, groupId, nameof(current));

        var eventTime = call.Event.EventTime;
        var before = StateBefore(known, eventTime, deletion: call.Api == SecurityGroupApi.DeleteSecurityGroup);
        var unknowns = new List<Unknown>();
        var rules = BuildRules(call, before, current, unknowns);
        var tags = BuildTags(call, before, current, unknowns);
        return new SecurityGroupChange(
            Identity(group, groupId, known, current),
            call.Api switch
            {
                SecurityGroupApi.CreateSecurityGroup => ChangeKind.Created,
                SecurityGroupApi.DeleteSecurityGroup => ChangeKind.Deleted,
                _ => ChangeKind.Updated,
            },
            rules,
            tags,
            Actors(call),
            [new SourceEvent(ChangeSource.CloudTrail, call.Event.EventId, call.Event.EventName, eventTime)],
            new ChangeKey(group.AccountId, group.Region, groupId, call.Event.EventId, ChangeSource.CloudTrail),
            Note(unknowns, known, before, eventTime));
    }

    /// <summary>
    /// What the group directory should remember after the call: its tags and (when fully known) rules, observed at the
    /// call's time. Null when there is nothing true to remember: the call has no time (the directory could not order
    /// it) or the group's tags after it are unknown (a state without tags would read as "no owners").
    /// </summary>
    /// <param name="change">A change <see cref="Build"/> made.</param>
    /// <param name="known">The same directory state that was given to <see cref="Build"/>.</param>
    /// <param name="current">The same EC2 read that was given to <see cref="Build"/>: lends rule ids the call did not tell.</param>
    public static GroupState? StateAfter(SecurityGroupChange change, GroupState? known, GroupState? current)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Source != ChangeSource.CloudTrail)
        {
            throw new ArgumentException("the change was not built from a CloudTrail event", nameof(change));
        }

        RequireSameGroup(known, change.Group.Id, nameof(known));
        RequireSameGroup(current, change.Group.Id, nameof(current));
        if (change.Time is not { } time || change.Tags.After is not { } tags)
        {
            return null;
        }

        // Rules are remembered only when they are known exactly: a change whose every part is known, applied to the
        // rules before it (none for a new group). A deleted group's entry keeps its last rules (GroupState.Deleted),
        // which are the ones its deletion removed. Otherwise null, which keeps what the directory already holds.
        IReadOnlyList<IdentifiedRule>? rules = null;
        if (change.Rules is { Completeness: RuleCompleteness.Known, UnknownRuleIds.Count: 0 })
        {
            var rulesBefore = change.Kind == ChangeKind.Created ? [] : StateBefore(known, time, deletion: false)?.Rules;
            rules = change.Kind == ChangeKind.Deleted ? change.Rules.Removed
                : rulesBefore is null ? null
                : WithIdsFrom(Apply(rulesBefore, change.Rules), current);
        }

        return new GroupState(change.Group, tags, rules, time, Origin, change.Kind == ChangeKind.Deleted);
    }

    /// <summary>
    /// <paramref name="known"/> when it can stand for the group just before the call: observed at or before the call's
    /// time. A state observed later may already include this call (or later ones), so it is treated as unknown; so is
    /// any state when the call has no time. A deletion is the exception: nothing changes a group after it, so any state
    /// (even a Config "deleted" item that arrived first) holds the last tags and rules, which are what a deletion needs.
    /// </summary>
    private static GroupState? StateBefore(GroupState? known, DateTimeOffset? eventTime, bool deletion) => known switch
    {
        null => null,
        _ when deletion => known,
        _ when eventTime is null => null,
        _ when known.ObservedAt <= eventTime => known,
        _ => null,
    };

    private static SecurityGroupIdentity Identity(CloudTrailGroupRef group, string groupId, GroupState? known, GroupState? current) => new(
        groupId,
        // A group's name and VPC never change, so any state of the group may tell them, even one newer than the call.
        group.GroupName ?? known?.Group.Name ?? current?.Group.Name,
        group.AccountId,
        group.Region,
        group.VpcId ?? known?.Group.VpcId ?? current?.Group.VpcId,
        Arn(group.AccountId, group.Region, groupId));

    /// <summary>
    /// <c>arn:{partition}:ec2:{region}:{account}:security-group/{id}</c>, only from a 12-digit account and a region
    /// <see cref="AwsRegion"/> accepts (it picks the partition: <c>aws</c>, <c>aws-cn</c>, <c>aws-us-gov</c>); else null.
    /// </summary>
    private static string? Arn(string accountId, string region, string groupId) =>
        AwsRegion.IsAccountId(accountId) && AwsRegion.IsValid(region) && IsGroupId(groupId)
            ? $"arn:{AwsRegion.Partition(region)}:ec2:{region}:{accountId}:security-group/{groupId}"
            : null;

    private static bool IsGroupId(string groupId) =>
        groupId.Length is > 3 and <= 64 && groupId.StartsWith("sg-", StringComparison.Ordinal) &&
        !groupId.AsSpan(3).ContainsAnyExcept("0123456789abcdefghijklmnopqrstuvwxyz");

    /// <summary>The actor is in the event itself (no lookup): the same parser the Config path's CloudTrail lookup uses.</summary>
    private static ChangeActors Actors(SecurityGroupApiCall call) =>
        call.UserIdentity.ValueKind == JsonValueKind.Object
            ? new ChangeActors(ActorStatus.Found, [CloudTrailActorParser.Parse(call.Record)], "from the CloudTrail event itself")
            : new ChangeActors(ActorStatus.NotFound, [], "the CloudTrail event names no actor (it has no userIdentity)");

    private static RuleChanges BuildRules(SecurityGroupApiCall call, GroupState? before, GroupState? current, List<Unknown> unknowns)
    {
        var knownRules = before?.Rules;
        var known = new RuleIndex(knownRules);
        var now = new RuleIndex(current?.Rules);
        var added = new List<IdentifiedRule>();
        var removed = new List<IdentifiedRule>();
        var changed = new List<RuleModification>();
        var unknownIds = new List<string>();
        var beforeUnknown = false;
        switch (call.Api)
        {
            case SecurityGroupApi.AuthorizeSecurityGroupIngress or SecurityGroupApi.AuthorizeSecurityGroupEgress:
                // The response (or the request) names every rule added: known whatever the prior state.
                added.AddRange(call.Added);
                break;

            case SecurityGroupApi.RevokeSecurityGroupIngress or SecurityGroupApi.RevokeSecurityGroupEgress:
                // By permissions: known from the event. A request names no rule id and no description: the directory's
                // rule of the same identity lends them (a revoke matches rules whatever their description).
                removed.AddRange(call.Removed.Select(r => r.RuleId is null && known.ByIdentity(r.Rule) is { } found ? found : r));
                // By ids: the event does not say what the rule was; the directory does, else it stays unknown.
                // Ids the response described, and repeated ids, are skipped.
                var revokedIds = removed.Select(static r => r.RuleId).OfType<string>().ToHashSet(StringComparer.Ordinal);
                foreach (var ruleId in call.RemovedRuleIds.Where(revokedIds.Add))
                {
                    if (known.ById(ruleId) is { } rule)
                    {
                        removed.Add(rule);
                    }
                    else
                    {
                        unknownIds.Add(ruleId);
                        unknowns.Add(new($"what rule {ruleId} was"));
                    }
                }

                break;

            case SecurityGroupApi.ModifySecurityGroupRules:
                foreach (var modified in call.Modified)
                {
                    // The call names neither direction nor old value: the directory's rule of that id tells both.
                    if (known.ById(modified.RuleId) is { } old)
                    {
                        var updated = modified.WithDirection(old.Rule.Direction);
                        if (updated == old.Rule)
                        {
                            continue; // Set to what it was: nothing changed.
                        }

                        if (SecurityGroupRuleComparer.CompareIdentity(old.Rule, updated) == 0)
                        {
                            changed.Add(new RuleModification(old.Rule, updated, modified.RuleId));
                        }
                        else
                        {
                            // Another protocol, port or peer is another rule as far as access goes (and as Config
                            // reports it): the old one is gone, the new one is there, under the same id.
                            removed.Add(old);
                            added.Add(new IdentifiedRule(updated, modified.RuleId));
                        }
                    }
                    else if (now.ById(modified.RuleId) is { } read)
                    {
                        // A rule's direction never changes (ModifySecurityGroupRules cannot change it), so a read made
                        // later still tells it; the old value it cannot tell.
                        changed.Add(new RuleModification(null, modified.WithDirection(read.Rule.Direction), modified.RuleId));
                        beforeUnknown = true;
                        unknowns.Add(new($"the previous value of rule {modified.RuleId}"));
                    }
                    else
                    {
                        unknownIds.Add(modified.RuleId);
                        unknowns.Add(new($"the direction and previous value of rule {modified.RuleId}", Plural: true));
                    }
                }

                break;

            case SecurityGroupApi.UpdateSecurityGroupRuleDescriptionsIngress or SecurityGroupApi.UpdateSecurityGroupRuleDescriptionsEgress:
                // By permissions: the rule is the one of the same identity (the description is the only difference).
                foreach (var update in call.DescriptionsUpdated)
                {
                    var old = known.ByIdentity(update.Rule);
                    if (old is not null && old.Rule == update.Rule)
                    {
                        continue;
                    }

                    changed.Add(new RuleModification(old?.Rule, update.Rule, old?.RuleId));
                    if (old is null)
                    {
                        beforeUnknown = true;
                        unknowns.Add(new($"the previous description of the rule {Describe(update.Rule)}"));
                    }
                }

                // By ids: as a modify that changes only the description.
                foreach (var update in call.DescriptionsUpdatedById)
                {
                    if (known.ById(update.RuleId) is { } old)
                    {
                        var updated = old.Rule with { Description = update.Description };
                        if (updated != old.Rule)
                        {
                            changed.Add(new RuleModification(old.Rule, updated, update.RuleId));
                        }
                    }
                    else if (now.ById(update.RuleId) is { } read)
                    {
                        // The rest of the rule comes from the later read; a later ModifySecurityGroupRules of the same
                        // id would show here, but no other source has it at all.
                        changed.Add(new RuleModification(null, read.Rule with { Description = update.Description }, update.RuleId));
                        beforeUnknown = true;
                        unknowns.Add(new($"the previous description of rule {update.RuleId}"));
                    }
                    else
                    {
                        unknownIds.Add(update.RuleId);
                        unknowns.Add(new($"the direction and values of rule {update.RuleId}", Plural: true));
                    }
                }

                break;

            case SecurityGroupApi.CreateSecurityGroup:
                added.Add(new IdentifiedRule(DefaultEgressRule, null));
                break;

            case SecurityGroupApi.DeleteSecurityGroup:
                // The deletion removes every rule the group held; the event lists none of them.
                if (knownRules is null)
                {
                    unknowns.Add(new("the rules it held", Plural: true));
                    return RuleChanges.Unknown;
                }

                removed.AddRange(knownRules);
                return new RuleChanges([], removed, [], RuleCompleteness.Known, [], []);

            default:
                // CreateTags/DeleteTags: no rule changes.
                break;
        }

        var completeness = beforeUnknown || unknownIds.Count > 0 ? RuleCompleteness.BeforeUnknown : RuleCompleteness.Known;
        var changes = new RuleChanges(added, removed, changed, completeness, [], unknownIds);
        // The rules after the call: a new group's are what the call made; else the directory's with the call applied
        // when every part of the call is known; else what EC2 holds now (it may include later changes); else none.
        IReadOnlyList<IdentifiedRule> after = call.Api == SecurityGroupApi.CreateSecurityGroup
            ? added
            : knownRules is not null && completeness == RuleCompleteness.Known ? Apply(knownRules, changes) : current?.Rules ?? [];
        return changes with { Current = after };
    }

    /// <summary>
    /// The tags before and after the call:
    /// <list type="bullet">
    /// <item>A new group had none, and has exactly the tags its CreateSecurityGroup set.</item>
    /// <item>A deleted group keeps its last known tags on both sides (routing needs them): the directory's, else a read
    /// that still saw the group, else unknown.</item>
    /// <item>Otherwise "before" is the directory's state; without one it is derived from the EC2 read by undoing the call
    /// (<see cref="Undo"/>), and "after" is "before" with the call applied (<see cref="Apply(IReadOnlyDictionary{string, string}, SecurityGroupApiCall)"/>).
    /// With neither, both are unknown.</item>
    /// </list>
    /// </summary>
    private static TagState BuildTags(SecurityGroupApiCall call, GroupState? before, GroupState? current, List<Unknown> unknowns)
    {
        switch (call.Api)
        {
            case SecurityGroupApi.CreateSecurityGroup:
                return new TagState(new Dictionary<string, string>(StringComparer.Ordinal), new Dictionary<string, string>(call.TagsAdded, StringComparer.Ordinal));

            case SecurityGroupApi.DeleteSecurityGroup:
                var last = before?.Tags ?? current?.Tags;
                if (last is null)
                {
                    unknowns.Add(new("its tags", Plural: true));
                }

                return new TagState(last, last);
        }

        if (before is not null)
        {
            return new TagState(before.Tags, Apply(before.Tags, call));
        }

        if (current is null)
        {
            unknowns.Add(new("the group's tags", Plural: true));
            return TagState.Unknown;
        }

        // Applying the call to the read (rather than taking the read as "after") keeps later changes of the same keys
        // out of this change; the call already being in the read makes no difference otherwise.
        var derived = Undo(current.Tags, call, unknowns);
        return new TagState(derived, Apply(derived ?? current.Tags, call))
        {
            // What the call removed without telling its value: routing must not read a lost opt-in as "never opted in".
            UnknownKeys = call.Api switch
            {
                SecurityGroupApi.DeleteTags when derived is null => [TagState.AnyKey],
                SecurityGroupApi.DeleteTags => call.TagsRemoved.Where(static t => t.Value is null).Select(static t => t.Key).ToList(),
                SecurityGroupApi.CreateTags => call.TagsAdded.Keys.ToList(),
                _ => [],
            },
        };
    }

    /// <summary>
    /// The tags before the call, from tags read after it, as far as the call tells:
    /// <list type="bullet">
    /// <item>CreateTags: the keys it set were absent or had a value no one knows: they are left out, so they show as
    /// added (and the note says their previous value is unknown).</item>
    /// <item>DeleteTags with a value: the tag is put back with that value. A DeleteTags of a tag that was not there
    /// also succeeds, so this can show a removal that removed nothing: the safe side, as the previous owners hear of it.</item>
    /// <item>DeleteTags of a key alone: its previous value is unknown, so it is left out (and named in the note), even
    /// when the read holds the key again.</item>
    /// <item>DeleteTags of every tag: nothing tells what they were: unknown (null).</item>
    /// <item>Other calls do not touch tags: the read is the state before.</item>
    /// </list>
    /// </summary>
    private static Dictionary<string, string>? Undo(IReadOnlyDictionary<string, string> after, SecurityGroupApiCall call, List<Unknown> unknowns)
    {
        var tags = new Dictionary<string, string>(after, StringComparer.Ordinal);
        switch (call.Api)
        {
            case SecurityGroupApi.CreateTags:
                foreach (var key in call.TagsAdded.Keys)
                {
                    tags.Remove(key);
                }

                unknowns.Add(TagValues(call.TagsAdded.Keys.ToList()));
                return tags;

            case SecurityGroupApi.DeleteTags when call.AllTagsRemoved:
                unknowns.Add(new("the tags it removed", Plural: true));
                return null;

            case SecurityGroupApi.DeleteTags:
                var unknownKeys = new List<string>();
                foreach (var (key, value) in call.TagsRemoved)
                {
                    if (value is not null)
                    {
                        tags.TryAdd(key, value);
                    }
                    else
                    {
                        // Absent from the read: it had a value no one knows (or none). Present: set again after the
                        // call, so its value then tells nothing about the one deleted.
                        tags.Remove(key);
                        unknownKeys.Add(key);
                    }
                }

                if (unknownKeys.Count > 0)
                {
                    unknowns.Add(TagValues(unknownKeys));
                }

                return tags;

            default:
                return tags;
        }
    }

    /// <summary>
    /// <paramref name="tags"/> with the call applied: CreateTags sets its tags; DeleteTags removes a key given without
    /// a value whatever its value, and a key given with a value only when the value is equal (EC2 DeleteTags); a
    /// DeleteTags without tags removes every tag but the <c>aws:</c> ones, which users cannot delete.
    /// </summary>
    private static Dictionary<string, string> Apply(IReadOnlyDictionary<string, string> tags, SecurityGroupApiCall call)
    {
        var result = new Dictionary<string, string>(tags, StringComparer.Ordinal);
        switch (call.Api)
        {
            case SecurityGroupApi.CreateTags:
                foreach (var (key, value) in call.TagsAdded)
                {
                    result[key] = value;
                }

                break;

            case SecurityGroupApi.DeleteTags when call.AllTagsRemoved:
                foreach (var key in tags.Keys.Where(static k => !k.StartsWith(AwsTagPrefix, StringComparison.Ordinal)))
                {
                    result.Remove(key);
                }

                break;

            case SecurityGroupApi.DeleteTags:
                foreach (var (key, value) in call.TagsRemoved)
                {
                    if (value is null || (result.TryGetValue(key, out var present) && string.Equals(present, value, StringComparison.Ordinal)))
                    {
                        result.Remove(key);
                    }
                }

                break;
        }

        return result;
    }

    /// <summary>
    /// Rules with a change applied: removed ones out, changed ones replaced, added ones in (replacing a rule of the
    /// same identity). A rule matches by id when both sides have one, else by identity (what Config reports without
    /// ids). One pass with hash sets: a group holds up to about a thousand rules.
    /// </summary>
    private static List<IdentifiedRule> Apply(IReadOnlyList<IdentifiedRule> rules, RuleChanges changes)
    {
        var replacements = new Dictionary<string, IdentifiedRule>(StringComparer.Ordinal);
        var replacementsByIdentity = new Dictionary<RuleIdentity, IdentifiedRule>();
        foreach (var modification in changes.Changed)
        {
            if (modification.Before is { } before)
            {
                if (modification.RuleId is { } id)
                {
                    replacements.TryAdd(id, new IdentifiedRule(modification.After, id));
                }

                replacementsByIdentity.TryAdd(new RuleIdentity(before), new IdentifiedRule(modification.After, modification.RuleId));
            }
        }

        var gone = new RuleMatch([.. changes.Removed, .. changes.Added]);
        var result = new List<IdentifiedRule>(rules.Count + changes.Added.Count);
        foreach (var rule in rules)
        {
            if (gone.Matches(rule))
            {
                continue;
            }

            var replacement = rule.RuleId is { } id && replacements.TryGetValue(id, out var byId) ? byId
                : replacementsByIdentity.TryGetValue(new RuleIdentity(rule.Rule), out var byIdentity) && (rule.RuleId is null || byIdentity.RuleId is null) ? byIdentity
                : null;
            result.Add(replacement is null ? rule : replacement with { RuleId = replacement.RuleId ?? rule.RuleId });
        }

        result.AddRange(changes.Added);
        return result;
    }

    /// <summary>
    /// Rules without an id take the id of the equal rule (description included) in an EC2 read, so that a later call
    /// naming that id finds it. An equal rule with another id can only be a later revoke and re-add of the same rule.
    /// </summary>
    private static IReadOnlyList<IdentifiedRule> WithIdsFrom(List<IdentifiedRule> rules, GroupState? current)
    {
        if (current?.Rules is not { } read)
        {
            return rules;
        }

        return rules.Select(r => r.RuleId is null && read.FirstOrDefault(c => c.RuleId is not null && c.Rule == r.Rule) is { } match ? match : r).ToList();
    }

    /// <summary>A rule's identity (<see cref="SecurityGroupRuleComparer.CompareIdentity"/>: all but the description) as a hash key.</summary>
    private readonly record struct RuleIdentity(RuleDirection Direction, string Protocol, int? FromPort, int? ToPort, string Peer)
    {
        public RuleIdentity(SecurityGroupRule rule)
            : this(rule.Direction, rule.Protocol, rule.FromPort, rule.ToPort, rule.Peer)
        {
        }
    }

    /// <summary>A group's rules by id and by identity, indexed on first use.</summary>
    private sealed class RuleIndex(IReadOnlyList<IdentifiedRule>? rules)
    {
        private Dictionary<string, IdentifiedRule>? _byId;
        private Dictionary<RuleIdentity, IdentifiedRule>? _byIdentity;

        public IdentifiedRule? ById(string ruleId)
        {
            if (rules is null)
            {
                return null;
            }

            if (_byId is null)
            {
                _byId = new Dictionary<string, IdentifiedRule>(StringComparer.Ordinal);
                foreach (var rule in rules)
                {
                    if (rule.RuleId is { } id)
                    {
                        _byId.TryAdd(id, rule);
                    }
                }
            }

            return _byId.GetValueOrDefault(ruleId);
        }

        public IdentifiedRule? ByIdentity(SecurityGroupRule rule)
        {
            if (rules is null)
            {
                return null;
            }

            if (_byIdentity is null)
            {
                _byIdentity = [];
                foreach (var known in rules)
                {
                    _byIdentity.TryAdd(new RuleIdentity(known.Rule), known);
                }
            }

            return _byIdentity.GetValueOrDefault(new RuleIdentity(rule));
        }
    }

    /// <summary>Whether a rule is one of a set: by id when both have one, else by identity.</summary>
    private sealed class RuleMatch
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private readonly HashSet<RuleIdentity> _withoutId = [];
        private readonly HashSet<RuleIdentity> _all = [];

        public RuleMatch(IEnumerable<IdentifiedRule> rules)
        {
            foreach (var rule in rules)
            {
                var identity = new RuleIdentity(rule.Rule);
                _all.Add(identity);
                if (rule.RuleId is { } id)
                {
                    _ids.Add(id);
                }
                else
                {
                    _withoutId.Add(identity);
                }
            }
        }

        public bool Matches(IdentifiedRule rule) => rule.RuleId is { } id
            ? _ids.Contains(id) || _withoutId.Contains(new RuleIdentity(rule.Rule))
            : _all.Contains(new RuleIdentity(rule.Rule));
    }

    private static void RequireSameGroup(GroupState? state, string groupId, string parameter)
    {
        if (state is not null && !string.Equals(state.Group.Id, groupId, StringComparison.Ordinal))
        {
            throw new ArgumentException("the state is of another group", parameter);
        }
    }

    /// <summary>E.g. <c>inbound tcp 443 from 0.0.0.0/0</c>.</summary>
    private static string Describe(SecurityGroupRule rule)
    {
        var ports = rule.FromPort is null ? ""
            : rule.FromPort == rule.ToPort ? string.Create(CultureInfo.InvariantCulture, $" {rule.FromPort}")
            : string.Create(CultureInfo.InvariantCulture, $" {rule.FromPort}-{rule.ToPort}");
        return rule.Direction == RuleDirection.Ingress
            ? $"inbound {rule.Protocol}{ports} from {rule.Peer}"
            : $"outbound {rule.Protocol}{ports} to {rule.Peer}";
    }

    private static Unknown TagValues(List<string> keys) =>
        keys.Count == 1 ? new($"the previous value of tag {keys[0]}") : new($"the previous values of tags {Join(keys)}", Plural: true);

    /// <summary>
    /// One sentence: why, then what is unknown, e.g. "SgNotifier had not seen this group before this call, so the
    /// previous value of rule sgr-… is unknown."
    /// </summary>
    private static string? Note(List<Unknown> unknowns, GroupState? known, GroupState? before, DateTimeOffset? eventTime)
    {
        if (unknowns.Count == 0)
        {
            return null;
        }

        var why = known is null ? "SgNotifier had not seen this group before this call"
            : eventTime is null ? "The call has no event time to tell whether SgNotifier's record of this group is older"
            : before is null ? string.Create(CultureInfo.InvariantCulture, $"SgNotifier's only record of this group ({known.Origin}, {known.ObservedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC) is newer than this call")
            : string.Create(CultureInfo.InvariantCulture, $"SgNotifier's record of this group ({known.Origin}, {known.ObservedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC) does not cover all that this call touched");
        List<string> named = unknowns.Count <= MaxNamedUnknowns
            ? [.. unknowns.Select(static u => u.Text)]
            : [.. unknowns.Take(MaxNamedUnknowns - 1).Select(static u => u.Text), string.Create(CultureInfo.InvariantCulture, $"{unknowns.Count - MaxNamedUnknowns + 1} more")];
        return $"{why}, so {Join(named)} {(unknowns is [{ Plural: false }] ? "is" : "are")} unknown.";
    }

    /// <summary>One thing the note names as unknown; <see cref="Plural"/> picks "are" when it is named alone.</summary>
    private readonly record struct Unknown(string Text, bool Plural = false);

    private static string Join(IReadOnlyList<string> items) =>
        items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[^1];
}
