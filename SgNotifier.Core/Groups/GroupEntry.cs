using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Groups;

/// <summary>
/// One group's entry in a directory: its state, and when its rules were observed. The two parts age separately,
/// which is what keeps out-of-order deliveries from losing information:
/// <list type="bullet">
/// <item>Identity, tags, origin and the deleted flag follow the newest <see cref="GroupState.ObservedAt"/> (ties: the
/// later write, so a redelivery is harmless).</item>
/// <item>A state with null rules (a tags-only event) keeps the known rules <em>with their own, older time</em>. They are
/// never re-dated to the newer state: were they, a rule set observed in between (a Config item delivered late) would
/// look older than the kept rules and be thrown away, leaving rules that state had already invalidated.</item>
/// <item>A rule set replaces the kept one only when observed at or after it, whatever the tags' time. Rules told but
/// too big to store make the rules unknown as of that time (<see cref="RulesObservedAt"/> set, rules null).</item>
/// </list>
/// So <see cref="RulesObservedAt"/> ≤ <see cref="GroupState.ObservedAt"/>: a reader that takes the rules as the
/// "before" of an event at time t and checks <c>ObservedAt &lt; t</c> is safe.
/// </summary>
internal sealed record GroupEntry(GroupState State, DateTimeOffset? RulesObservedAt)
{
    /// <summary>The entry after <paramref name="incoming"/> (already bounded); null when it changes nothing.</summary>
    /// <param name="rulesUnknown">
    /// The state told rules that cannot be stored (beyond a limit): as of its time the rules are unknown. Unlike null
    /// rules (not told), this invalidates older known rules, and an older rule set delivered later stays out.
    /// </param>
    public static GroupEntry? Merge(GroupEntry? existing, GroupState incoming, bool rulesUnknown = false)
    {
        var tellsRules = incoming.Rules is not null || rulesUnknown;
        if (existing is null)
        {
            return new GroupEntry(incoming, tellsRules ? incoming.ObservedAt : null);
        }

        var known = existing.State;

        // Group ids are never reused: once deleted, a group seen alive "later" is clock skew between AWS and us.
        var newer = incoming.ObservedAt >= known.ObservedAt && !(known.Deleted && !incoming.Deleted);
        var newerRules = tellsRules && (existing.RulesObservedAt is not { } rulesAt || incoming.ObservedAt >= rulesAt);
        if (!newer && !newerRules)
        {
            return null;
        }

        var state = known;
        if (newer)
        {
            state = incoming with
            {
                Group = Identity(incoming.Group, known.Group),

                // A delete event knows nothing of tags: its empty set must not erase the owners it will be routed to.
                Tags = incoming.Deleted && incoming.Tags.Count == 0 ? known.Tags : incoming.Tags,
                Rules = known.Rules,
            };
        }

        return newerRules
            ? new GroupEntry(state with { Rules = incoming.Rules is null ? null : WithKnownIds(incoming.Rules, known.Rules) }, incoming.ObservedAt)
            : new GroupEntry(state, existing.RulesObservedAt);
    }

    /// <summary>
    /// Config items carry no rule ids. A rule that matches an older known rule in everything but its description keeps
    /// that rule's <c>sgr-</c> id: EC2 allows one rule per direction, protocol, ports and peer in a group, and its id
    /// changes only when it is revoked and added again, in which case the stale id names a rule that no longer exists
    /// (a revoke or modify by it fails, and a lookup by the new id finds nothing here and asks EC2).
    /// </summary>
    private static IReadOnlyList<IdentifiedRule> WithKnownIds(IReadOnlyList<IdentifiedRule> rules, IReadOnlyList<IdentifiedRule>? known)
    {
        if (known is null || !rules.Any(static r => r.RuleId is null))
        {
            return rules;
        }

        var ids = new Dictionary<(RuleDirection, string, int?, int?, string), string>();
        foreach (var (rule, ruleId) in known)
        {
            if (ruleId is not null)
            {
                ids.TryAdd((rule.Direction, rule.Protocol, rule.FromPort, rule.ToPort, rule.Peer), ruleId);
            }
        }

        return ids.Count == 0
            ? rules
            : rules.Select(r => r.RuleId is null && ids.TryGetValue((r.Rule.Direction, r.Rule.Protocol, r.Rule.FromPort, r.Rule.ToPort, r.Rule.Peer), out var id)
                ? r with { RuleId = id }
                : r).ToArray();
    }

    private static SecurityGroupIdentity Identity(SecurityGroupIdentity incoming, SecurityGroupIdentity known) => incoming with
    {
        Name = incoming.Name ?? known.Name,
        VpcId = incoming.VpcId ?? known.VpcId,
        Arn = incoming.Arn ?? known.Arn,
    };
}
