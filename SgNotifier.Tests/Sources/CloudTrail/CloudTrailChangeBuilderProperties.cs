using FsCheck.Xunit;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.CloudTrail;

namespace SgNotifier.Tests.Sources.CloudTrail;

/// <summary>
/// Every corpus call against random directory states and EC2 reads (drawn from the rules, ids and tags the corpus
/// uses, observed before, at or after the call): the change never shows a value no input gave, and says when
/// something is unknown.
/// </summary>
[Properties(MaxTest = 500)]
public sealed class CloudTrailChangeBuilderProperties
{
    private static readonly SecurityGroupApiCall[] Calls = CloudTrailCorpus.Files("security-group-call")
        .Cast<object[]>().Select(static row => (string)row[0])
        .Select(static file => (SecurityGroupApiCall)CloudTrailCorpus.Parse("security-group-call", file))
        .ToArray();

    private static readonly SecurityGroupRule[] RulePool =
    [
        new(RuleDirection.Ingress, "tcp", 22, 22, "10.0.0.0/8", "office"),
        new(RuleDirection.Ingress, "tcp", 22, 22, "0.0.0.0/0", null),
        new(RuleDirection.Ingress, "tcp", 443, 443, "0.0.0.0/0", "old"),
        new(RuleDirection.Ingress, "tcp", 3389, 3389, "0.0.0.0/0", "temp RDP"),
        new(RuleDirection.Egress, "all", null, null, "0.0.0.0/0", null),
        new(RuleDirection.Egress, "tcp", 443, 443, "pl-0123abcd4567ef890", null),
        new(RuleDirection.Egress, "udp", 53, 53, "sg-0c0ffee0123456789", "dns"),
    ];

    private static readonly string?[] IdPool = ["sgr-0123456789abcdef0", "sgr-0fedcba9876543210", "sgr-04d38766bdc829c6a", null];

    private static readonly string[] KeyPool = ["NotifyOnChange", "OwnerDL", "Env", "aws:cloudformation:stack-name", "CostCenter"];

    private static readonly string[] ValuePool = ["yes", "no", "app-team@example.com", "new-owner@example.com", "4711"];

    [Property]
    public bool NoValueIsInvented_AndWhatIsUnknownIsSaid(int seed)
    {
        var random = new Random(seed);
        var call = Calls[random.Next(Calls.Length)];
        var picked = call.Groups[random.Next(call.Groups.Count)];
        var group = picked.GroupId is null ? picked with { GroupId = "sg-0d0e0f0a0b0c0d0e0" } : picked;
        var time = call.Event.EventTime!.Value;
        var known = random.Next(4) == 0 ? null : RandomState(random, group.GroupId!, time.AddMinutes(random.Next(-10, 3)), "config");
        var current = random.Next(3) == 0 ? null : RandomState(random, group.GroupId!, time.AddMinutes(random.Next(0, 10)), "ec2");

        var change = CloudTrailChangeBuilder.Build(call, group, known, current);
        var state = CloudTrailChangeBuilder.StateAfter(change, known, current);

        var usable = known is not null && (known.ObservedAt <= time || call.Api == SecurityGroupApi.DeleteSecurityGroup) ? known : null;
        var knownRules = usable?.Rules ?? [];
        var callRules = call.Added.Concat(call.Removed).ToList();

        // Removed rules and "before" values come from the directory's state before the call, or from the call itself.
        var removedFromSomewhere = change.Rules.Removed.All(r => knownRules.Contains(r) || callRules.Contains(r));
        var beforesKnown = change.Rules.Changed.All(c => c.Before is null || knownRules.Any(k => k.Rule == c.Before));

        // A tag before the call is the directory's, else the read's, else the value a DeleteTags named.
        var tagsFromSomewhere = change.Tags.Before is null || change.Tags.Before.All(t =>
            (usable?.Tags.TryGetValue(t.Key, out var k) == true && k == t.Value) ||
            (current?.Tags.TryGetValue(t.Key, out var c) == true && c == t.Value) ||
            (call.TagsRemoved.TryGetValue(t.Key, out var r) && r == t.Value));

        var unknown = change.Rules.Completeness != RuleCompleteness.Known || change.Rules.UnknownRuleIds.Count > 0 ||
            change.Tags.Before is null || change.Tags.After is null;
        var said = !unknown || change.Note is not null;

        // What the directory remembers is what the change says after the call, at the call's time.
        var remembered = state is null ||
            (state.ObservedAt == time && state.Tags == change.Tags.After &&
             (state.Rules is null || state.Rules.Select(static r => r.Rule).SequenceEqual(
                 change.Kind == ChangeKind.Deleted ? change.Rules.Removed.Select(static r => r.Rule) : change.Rules.Current.Select(static r => r.Rule))));

        return removedFromSomewhere && beforesKnown && tagsFromSomewhere && said && remembered;
    }

    private static GroupState RandomState(Random random, string groupId, DateTimeOffset at, string origin)
    {
        var rules = random.Next(5) == 0 ? null : Enumerable.Range(0, random.Next(5))
            .Select(_ => new IdentifiedRule(RulePool[random.Next(RulePool.Length)], IdPool[random.Next(IdPool.Length)]))
            .DistinctBy(static r => r.RuleId ?? r.Rule.ToString())
            .ToList();
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = random.Next(5); i > 0; i--)
        {
            tags[KeyPool[random.Next(KeyPool.Length)]] = ValuePool[random.Next(ValuePool.Length)];
        }

        return new GroupState(new SecurityGroupIdentity(groupId, null, "210987654321", "eu-west-1", null, null), tags, rules, at, origin);
    }
}
