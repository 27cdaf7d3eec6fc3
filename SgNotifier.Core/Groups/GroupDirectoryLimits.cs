using System.Text;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Groups;

/// <summary>
/// What the directory stores of a state that came from a message. AWS itself allows 50 tags (128/256 characters) and
/// at most 1,000 rules each way, so anything beyond these limits is not an AWS group: a state whose identity or tags
/// exceed them is not remembered at all (a cut tag set would route wrongly), and rules beyond them are remembered as
/// unknown (never a partial list).
/// </summary>
internal static class GroupDirectoryLimits
{
    public const int MaxTags = 64;
    public const int MaxTagKeyLength = 128;
    public const int MaxTagValueLength = 256;
    public const int MaxIdentityLength = 256;
    public const int MaxArnLength = 1024;
    public const int MaxRules = 2000;
    public const int MaxPeerLength = 256;
    public const int MaxDescriptionLength = 1024;
    public const int MaxRuleIdLength = 64;
    public const int MaxProtocolLength = 16;

    /// <summary>The storable state, or why it cannot be remembered; <paramref name="rulesDropped"/> says why its rules became unknown.</summary>
    public static GroupState? Bound(GroupState state, out string? rejected, out string? rulesDropped)
    {
        rulesDropped = null;
        if (state.Group is null || state.Tags is null || string.IsNullOrEmpty(state.Origin))
        {
            rejected = "the state has no group, tags or origin";
            return null;
        }

        rejected = CheckIdentity(state.Group, state.Origin) ?? CheckTags(state.Tags);
        if (rejected is not null)
        {
            return null;
        }

        var tags = new Dictionary<string, string>(state.Tags.Count, StringComparer.Ordinal);
        foreach (var (key, value) in state.Tags)
        {
            tags[Storable(key)] = Storable(value);
        }

        IReadOnlyList<IdentifiedRule>? rules = null;
        if (state.Rules is not null)
        {
            rulesDropped = CheckRules(state.Rules);
            rules = rulesDropped is null ? state.Rules.Select(StorableRule).ToArray() : null;
        }

        var group = state.Group;
        return state with
        {
            Group = new SecurityGroupIdentity(
                Storable(group.Id), StorableOrNull(group.Name), Storable(group.AccountId), Storable(group.Region), StorableOrNull(group.VpcId), StorableOrNull(group.Arn)),
            Tags = tags,
            Rules = rules,
        };
    }

    private static string? CheckIdentity(SecurityGroupIdentity group, string origin) =>
        string.IsNullOrEmpty(group.Id) || string.IsNullOrEmpty(group.AccountId) || string.IsNullOrEmpty(group.Region) ? "the group id, account or region is empty"
        : group.Id.Length > MaxIdentityLength || group.AccountId.Length > MaxIdentityLength || group.Region.Length > MaxIdentityLength ||
          group.Name?.Length > MaxIdentityLength || group.VpcId?.Length > MaxIdentityLength || origin.Length > MaxIdentityLength
            ? $"an identity field is longer than {MaxIdentityLength} characters"
        : group.Arn?.Length > MaxArnLength ? $"the ARN is longer than {MaxArnLength} characters"
        : null;

    private static string? CheckTags(IReadOnlyDictionary<string, string> tags)
    {
        if (tags.Count > MaxTags)
        {
            return $"{tags.Count} tags, more than {MaxTags}";
        }

        foreach (var (key, value) in tags)
        {
            if (key is null || key.Length > MaxTagKeyLength)
            {
                return $"a tag key is longer than {MaxTagKeyLength} characters";
            }

            if (value is null || value.Length > MaxTagValueLength)
            {
                return $"a tag value is null or longer than {MaxTagValueLength} characters";
            }
        }

        return null;
    }

    private static string? CheckRules(IReadOnlyList<IdentifiedRule> rules)
    {
        if (rules.Count > MaxRules)
        {
            return $"{rules.Count} rules, more than {MaxRules}";
        }

        foreach (var (rule, ruleId) in rules)
        {
            if (rule is null || rule.Protocol is null || rule.Peer is null)
            {
                return "a rule is incomplete";
            }

            if (rule.Peer.Length > MaxPeerLength || rule.Protocol.Length > MaxProtocolLength ||
                rule.Description?.Length > MaxDescriptionLength || ruleId?.Length > MaxRuleIdLength)
            {
                return "a rule has a field beyond its limit";
            }
        }

        return null;
    }

    private static IdentifiedRule StorableRule(IdentifiedRule rule) => new(
        rule.Rule with { Protocol = Storable(rule.Rule.Protocol), Peer = Storable(rule.Rule.Peer), Description = StorableOrNull(rule.Rule.Description) },
        StorableOrNull(rule.RuleId));

    private static string? StorableOrNull(string? text) => text is null ? null : Storable(text);

    /// <summary>A group id as logs show it: ids from messages can be anything, so long ones are cut.</summary>
    internal static string ForLog(string? groupId) =>
        groupId is null ? string.Empty : groupId.Length > 64 ? groupId[..64] + "…" : groupId;

    /// <summary>Lone surrogates have no UTF-8 form (AWS never sends them): replaced with U+FFFD, as any UTF-8 store would.</summary>
    internal static string Storable(string text)
    {
        foreach (var c in text)
        {
            if (char.IsSurrogate(c))
            {
                return Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(text));
            }
        }

        return text;
    }
}
