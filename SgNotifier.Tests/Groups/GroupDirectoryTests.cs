using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Routing;
using SgNotifier.Tests.Ledger;

namespace SgNotifier.Tests.Groups;

/// <summary>The directory's semantics, run against every implementation (the Table one against a real Azurite).</summary>
public abstract class GroupDirectoryTests : IDisposable
{
    protected const string Account = "210987654321";
    protected const string Region = "eu-west-1";

    protected static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private readonly List<IDisposable> _owned = [];

    protected FakeTimeProvider Time { get; } = new(T0);

    public static TheoryData<string> HostileTexts => NotificationLedgerTests.HostileTexts;

    [Fact]
    public async Task UnknownGroup_IsNull()
    {
        var directory = await CreateDirectoryAsync();

        Assert.Null(await directory.GetAsync(Account, Region, NewGroupId(), CancellationToken.None));
        Assert.Null(await directory.GetAsync(Account, Region, string.Empty, CancellationToken.None));
    }

    [Fact]
    public async Task ThousandRulesWithIdsAndTags_RoundTrip()
    {
        var directory = await CreateDirectoryAsync();
        var state = State(NewGroupId(), T0, Tags(("OwnerDL", "team@example.com"), ("NotifyOnChange", "yes"), ("Name", "web ✓ 日本語")), ManyRules(1000)) with
        {
            Group = new SecurityGroupIdentity("placeholder", "web-prod", Account, Region, "vpc-0f1e2d3c4b5a69788", "arn:aws:ec2:eu-west-1:210987654321:security-group/x"),
        };
        state = state with { Group = state.Group with { Id = NewGroupId() } };

        await directory.RememberAsync(state, CancellationToken.None);
        var read = await directory.GetAsync(Account, Region, state.Group.Id, CancellationToken.None);

        AssertSame(state, read);
    }

    [Fact]
    public async Task NewerState_Wins_InBothOrders()
    {
        var directory = await CreateDirectoryAsync();
        var inOrder = NewGroupId();
        var reversed = NewGroupId();
        var older = (string id) => State(id, T0, Tags(("OwnerDL", "old@example.com")), ManyRules(2), "config");
        var newer = (string id) => State(id, T0.AddMinutes(1), Tags(("OwnerDL", "new@example.com")), ManyRules(3), "cloudtrail");

        await directory.RememberAsync(older(inOrder), CancellationToken.None);
        await directory.RememberAsync(newer(inOrder), CancellationToken.None);
        await directory.RememberAsync(newer(reversed), CancellationToken.None);
        await directory.RememberAsync(older(reversed), CancellationToken.None);

        AssertSame(newer(inOrder), await directory.GetAsync(Account, Region, inOrder, CancellationToken.None));
        AssertSame(newer(reversed), await directory.GetAsync(Account, Region, reversed, CancellationToken.None));
    }

    [Fact]
    public async Task StateWithoutRules_KeepsKnownRules_ButALateOlderRuleSetStillReplacesThem()
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();
        var firstRules = ManyRules(2);
        var betweenRules = ManyRules(5);

        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "a@example.com")), firstRules), CancellationToken.None);
        await directory.RememberAsync(State(id, T0.AddMinutes(10), Tags(("OwnerDL", "c@example.com")), null, "cloudtrail"), CancellationToken.None);
        var kept = await directory.GetAsync(Account, Region, id, CancellationToken.None);

        Assert.NotNull(kept);
        Assert.Equal(firstRules, kept.Rules);
        Assert.Equal("c@example.com", kept.Tags["OwnerDL"]);
        Assert.Equal(T0.AddMinutes(10), kept.ObservedAt);

        // A Config item captured in between, delivered late: its rules are newer than the kept ones, its tags are not.
        await directory.RememberAsync(State(id, T0.AddMinutes(5), Tags(("OwnerDL", "b@example.com")), betweenRules), CancellationToken.None);
        var merged = await directory.GetAsync(Account, Region, id, CancellationToken.None);

        Assert.NotNull(merged);
        Assert.Equal(betweenRules, merged.Rules);
        Assert.Equal("c@example.com", merged.Tags["OwnerDL"]);
        Assert.Equal(T0.AddMinutes(10), merged.ObservedAt);
        Assert.Equal("cloudtrail", merged.Origin);

        // Older than the rules now known: ignored entirely.
        await directory.RememberAsync(State(id, T0.AddMinutes(2), Tags(("OwnerDL", "z@example.com")), ManyRules(7)), CancellationToken.None);
        Assert.Equal(betweenRules, (await directory.GetAsync(Account, Region, id, CancellationToken.None))!.Rules);
    }

    [Fact]
    public async Task StateWithoutRules_OfANewGroup_HasUnknownRules()
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();

        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "a@example.com")), null, "cloudtrail"), CancellationToken.None);

        var read = await directory.GetAsync(Account, Region, id, CancellationToken.None);
        Assert.NotNull(read);
        Assert.Null(read.Rules);
    }

    [Fact]
    public async Task ConfigRulesWithoutIds_KeepTheIdsOfTheSameRulesKnownFromEc2()
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();
        var fromEc2 = ManyRules(3);
        var fromConfig = fromEc2.Select(static r => r with { RuleId = null }).ToList();
        fromConfig[1] = fromConfig[1] with { Rule = fromConfig[1].Rule with { Description = "changed since" } };
        fromConfig.Add(new IdentifiedRule(new SecurityGroupRule(RuleDirection.Ingress, "tcp", 8443, 8443, "192.0.2.0/24", null), null));

        await directory.RememberAsync(State(id, T0, Tags(), fromEc2, "ec2"), CancellationToken.None);
        await directory.RememberAsync(State(id, T0.AddMinutes(1), Tags(), fromConfig, "config"), CancellationToken.None);

        var rules = (await directory.GetAsync(Account, Region, id, CancellationToken.None))!.Rules!;
        Assert.Equal(fromEc2.Select(static r => r.RuleId).Append(null), rules.Select(static r => r.RuleId));
        Assert.Equal(fromConfig.Select(static r => r.Rule), rules.Select(static r => r.Rule));
    }

    [Fact]
    public async Task DeletedGroup_KeepsItsLastKnownOwnersAndRules_AndStaysDeleted()
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();
        var rules = ManyRules(4);
        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "owner@example.com")), rules), CancellationToken.None);

        await directory.RememberAsync(State(id, T0.AddMinutes(1), Tags(), null, "cloudtrail") with { Deleted = true }, CancellationToken.None);
        var deleted = await directory.GetAsync(Account, Region, id, CancellationToken.None);

        Assert.NotNull(deleted);
        Assert.True(deleted.Deleted);
        Assert.Equal("owner@example.com", deleted.Tags["OwnerDL"]);
        Assert.Equal(rules, deleted.Rules);
        Assert.Equal("web-prod", deleted.Group.Name);

        // An EC2 read whose clock runs ahead of AWS's: ids are never reused, so the group does not come back.
        await directory.RememberAsync(State(id, T0.AddMinutes(2), Tags(("OwnerDL", "other@example.com")), rules, "ec2"), CancellationToken.None);
        var still = await directory.GetAsync(Account, Region, id, CancellationToken.None);
        Assert.True(still!.Deleted);
        Assert.Equal("owner@example.com", still.Tags["OwnerDL"]);
    }

    [Fact]
    public async Task ConcurrentWrites_LeaveTheNewestState()
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();
        var states = Enumerable.Range(0, 8)
            .Select(i => State(id, T0.AddSeconds(i), Tags(("OwnerDL", $"owner{i}@example.com")), ManyRules(i + 1)))
            .Reverse()
            .ToList();

        await Task.WhenAll(states.Select(s => Task.Run(() => directory.RememberAsync(s, CancellationToken.None))));

        AssertSame(states[0], await directory.GetAsync(Account, Region, id, CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(HostileTexts))]
    public async Task HostileTextInIdsAndTags_RoundTrips(string text)
    {
        var directory = await CreateDirectoryAsync();
        var state = new GroupState(
            new SecurityGroupIdentity(Cap(text + NewGroupId()), Cap(text), Cap(text), Cap(text), Cap(text), Cap(text)),
            Tags(("OwnerDL", Cap(text, 256)), (Cap(text, 128), "x")),
            [new IdentifiedRule(new SecurityGroupRule(RuleDirection.Egress, "all", null, null, Cap(text), text[..Math.Min(text.Length, 1024)]), Cap(text, 64))],
            T0,
            "config");

        await directory.RememberAsync(state, CancellationToken.None);
        var read = await directory.GetAsync(state.Group.AccountId, state.Group.Region, state.Group.Id, CancellationToken.None);

        AssertSame(Storable(state), read);
    }

    [Fact]
    public async Task IdsSplitDifferently_AreDifferentGroups()
    {
        var directory = await CreateDirectoryAsync();
        var first = State("c", T0, Tags(("OwnerDL", "first@example.com")), null) with { Group = new SecurityGroupIdentity("c", null, "a/b", "x", null, null) };
        var second = State("b/c", T0, Tags(("OwnerDL", "second@example.com")), null) with { Group = new SecurityGroupIdentity("b/c", null, "a", "x", null, null) };

        await directory.RememberAsync(first, CancellationToken.None);
        await directory.RememberAsync(second, CancellationToken.None);

        Assert.Equal("first@example.com", (await directory.GetAsync("a/b", "x", "c", CancellationToken.None))!.Tags["OwnerDL"]);
        Assert.Equal("second@example.com", (await directory.GetAsync("a", "x", "b/c", CancellationToken.None))!.Tags["OwnerDL"]);
    }

    [Theory]
    [InlineData(GroupDirectoryLimits.MaxTags, true)]
    [InlineData(GroupDirectoryLimits.MaxTags + 1, false)]
    public async Task TagCount_IsBounded(int count, bool remembered)
    {
        var tags = Enumerable.Range(0, count).ToDictionary(static i => "key" + i.ToString(CultureInfo.InvariantCulture), static _ => "v");
        await AssertRememberedAsync(id => State(id, T0, tags, null), remembered);
    }

    [Theory]
    [InlineData(GroupDirectoryLimits.MaxTagKeyLength, true)]
    [InlineData(GroupDirectoryLimits.MaxTagKeyLength + 1, false)]
    public async Task TagKeyLength_IsBounded(int length, bool remembered) =>
        await AssertRememberedAsync(id => State(id, T0, Tags((new string('k', length), "v")), null), remembered);

    [Theory]
    [InlineData(GroupDirectoryLimits.MaxTagValueLength, true)]
    [InlineData(GroupDirectoryLimits.MaxTagValueLength + 1, false)]
    public async Task TagValueLength_IsBounded(int length, bool remembered) =>
        await AssertRememberedAsync(id => State(id, T0, Tags(("OwnerDL", new string('v', length))), null), remembered);

    [Theory]
    [InlineData(GroupDirectoryLimits.MaxIdentityLength, true)]
    [InlineData(GroupDirectoryLimits.MaxIdentityLength + 1, false)]
    public async Task GroupNameLength_IsBounded(int length, bool remembered) =>
        await AssertRememberedAsync(id => State(id, T0, Tags(), null) with { Group = new SecurityGroupIdentity(id, new string('n', length), Account, Region, null, null) }, remembered);

    [Fact]
    public async Task IncompleteState_IsNotRemembered_AndThrowsNothing()
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();

        await directory.RememberAsync(State(id, T0, Tags(), null, origin: string.Empty), CancellationToken.None);
        await directory.RememberAsync(State(id, T0, new Dictionary<string, string> { ["OwnerDL"] = null! }, null), CancellationToken.None);
        await directory.RememberAsync(State(id, T0, null!, null), CancellationToken.None);
        await directory.RememberAsync(State(id, T0, Tags(), null) with { Group = new SecurityGroupIdentity(id, null, Account, string.Empty, null, null) }, CancellationToken.None);

        Assert.Null(await directory.GetAsync(Account, Region, id, CancellationToken.None));
    }

    [Fact]
    public async Task StateBeyondALimit_LeavesTheKnownStateAlone()
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();
        var known = State(id, T0, Tags(("OwnerDL", "owner@example.com")), ManyRules(2));
        await directory.RememberAsync(known, CancellationToken.None);

        await directory.RememberAsync(State(id, T0.AddMinutes(1), Tags(("OwnerDL", new string('v', GroupDirectoryLimits.MaxTagValueLength + 1))), null), CancellationToken.None);

        AssertSame(known, await directory.GetAsync(Account, Region, id, CancellationToken.None));
    }

    [Theory]
    [InlineData(GroupDirectoryLimits.MaxRules, true)]
    [InlineData(GroupDirectoryLimits.MaxRules + 1, false)]
    public async Task RuleCount_IsBounded_AndTooManyRulesAreUnknownNotCut(int count, bool rulesKept)
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();
        await directory.RememberAsync(State(id, T0, Tags(), ManyRules(3)), CancellationToken.None);

        await directory.RememberAsync(State(id, T0.AddMinutes(1), Tags(), ManyRules(count)), CancellationToken.None);
        var read = await directory.GetAsync(Account, Region, id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(T0.AddMinutes(1), read.ObservedAt);
        if (rulesKept)
        {
            Assert.Equal(count, read.Rules!.Count);
        }
        else
        {
            // The older rules are invalidated by the newer state, not kept.
            Assert.Null(read.Rules);
        }

        // And an older rule set arriving later does not come back in their place.
        await directory.RememberAsync(State(id, T0.AddSeconds(30), Tags(), ManyRules(4)), CancellationToken.None);
        Assert.Equal(rulesKept ? (int?)count : null, (await directory.GetAsync(Account, Region, id, CancellationToken.None))!.Rules?.Count);
    }

    [Theory]
    [InlineData(GroupDirectoryLimits.MaxPeerLength, GroupDirectoryLimits.MaxDescriptionLength, true)]
    [InlineData(GroupDirectoryLimits.MaxPeerLength + 1, 0, false)]
    [InlineData(10, GroupDirectoryLimits.MaxDescriptionLength + 1, false)]
    public async Task RuleFieldLengths_AreBounded(int peerLength, int descriptionLength, bool rulesKept)
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();
        var rule = new IdentifiedRule(new SecurityGroupRule(RuleDirection.Ingress, "tcp", 1, 2, new string('p', peerLength), new string('d', descriptionLength)), "sgr-0123456789abcdef0");

        await directory.RememberAsync(State(id, T0, Tags(("OwnerDL", "a@example.com")), [rule]), CancellationToken.None);
        var read = await directory.GetAsync(Account, Region, id, CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal("a@example.com", read.Tags["OwnerDL"]);
        IReadOnlyList<IdentifiedRule>? expected = rulesKept ? [rule] : null;
        Assert.Equal(expected, read.Rules);
    }

    public void Dispose()
    {
        _owned.ForEach(static o => o.Dispose());
        GC.SuppressFinalize(this);
    }

    protected abstract Task<IGroupDirectory> CreateDirectoryAsync();

    protected T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    protected static string NewGroupId() => "sg-" + Guid.NewGuid().ToString("N")[..17];

    protected static GroupState State(string groupId, DateTimeOffset observedAt, IReadOnlyDictionary<string, string> tags, IReadOnlyList<IdentifiedRule>? rules, string origin = "config") =>
        new(new SecurityGroupIdentity(groupId, "web-prod", Account, Region, "vpc-0f1e2d3c4b5a69788", null), tags, rules, observedAt, origin);

    protected static Dictionary<string, string> Tags(params (string Key, string Value)[] tags) =>
        tags.ToDictionary(static t => t.Key, static t => t.Value, StringComparer.Ordinal);

    /// <summary>Rules of every shape a group has: both directions, tcp/udp/icmp/all/numbered, IPv4/IPv6/prefix list/groups.</summary>
    protected static List<IdentifiedRule> ManyRules(int count) => Enumerable.Range(0, count).Select(static i =>
    {
        var direction = i % 5 == 4 ? RuleDirection.Egress : RuleDirection.Ingress;
        var (protocol, from, to) = (i % 4) switch
        {
            0 => ("tcp", (int?)(i % 60000), (int?)(i % 60000 + 10)),
            1 => ("udp", 0, 65535),
            2 => ("icmp", 8, -1),
            _ => (i % 8 == 3 ? "all" : "50", (int?)null, (int?)null),
        };
        var peer = (i % 6) switch
        {
            0 => string.Create(CultureInfo.InvariantCulture, $"10.{i / 256 % 256}.{i % 256}.0/24"),
            1 => string.Create(CultureInfo.InvariantCulture, $"2001:db8:{i:x}::/64"),
            2 => "pl-0a1b2c3d",
            3 => string.Create(CultureInfo.InvariantCulture, $"sg-{i:x17}"),
            4 => string.Create(CultureInfo.InvariantCulture, $"444455556666/sg-{i:x17}"),
            _ => "0.0.0.0/0",
        };
        var description = i % 3 == 0 ? null : string.Create(CultureInfo.InvariantCulture, $"rule {i} – tür ✓ \"quoted\" <b>");
        return new IdentifiedRule(new SecurityGroupRule(direction, protocol, from, to, peer, description), i % 7 == 6 ? null : string.Create(CultureInfo.InvariantCulture, $"sgr-{i:x17}"));
    }).ToList();

    protected static void AssertSame(GroupState expected, GroupState? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Group, actual.Group);
        Assert.Equal(expected.Tags.OrderBy(static t => t.Key, StringComparer.Ordinal), actual.Tags.OrderBy(static t => t.Key, StringComparer.Ordinal));
        Assert.Equal(expected.Rules, actual.Rules);
        Assert.Equal(expected.ObservedAt, actual.ObservedAt);
        Assert.Equal(expected.Origin, actual.Origin);
        Assert.Equal(expected.Deleted, actual.Deleted);
    }

    private async Task AssertRememberedAsync(Func<string, GroupState> state, bool remembered)
    {
        var directory = await CreateDirectoryAsync();
        var id = NewGroupId();

        await directory.RememberAsync(state(id), CancellationToken.None);

        var read = await directory.GetAsync(Account, Region, id, CancellationToken.None);
        if (remembered)
        {
            AssertSame(state(id), read);
        }
        else
        {
            Assert.Null(read);
        }
    }

    private static string Cap(string text, int length = 200) => text.Length > length ? text[..length] : text;

    /// <summary>What any UTF-8 store keeps of text with a lone surrogate.</summary>
    private static GroupState Storable(GroupState state)
    {
        static string S(string text) => System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(text));
        static string? N(string? text) => text is null ? null : S(text);
        return state with
        {
            Group = new SecurityGroupIdentity(S(state.Group.Id), N(state.Group.Name), S(state.Group.AccountId), S(state.Group.Region), N(state.Group.VpcId), N(state.Group.Arn)),
            Tags = state.Tags.ToDictionary(static t => S(t.Key), static t => S(t.Value)),
            Rules = state.Rules?.Select(static r => new IdentifiedRule(r.Rule with { Peer = S(r.Rule.Peer), Description = N(r.Rule.Description) }, N(r.RuleId))).ToList(),
        };
    }
}
