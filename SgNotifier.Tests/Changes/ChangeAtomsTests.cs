using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using static SgNotifier.Tests.Changes.HandBuiltChanges;

namespace SgNotifier.Tests.Changes;

public sealed class ChangeAtomsTests
{
    private const string Prefix = "12:123456789012 9:eu-west-1 20:sg-0a1b2c3d4e5f67890 ";

    [Fact]
    public void ConfigAddingRdpWithADescription_AndTheAuthorizeCallWithout_HaveTheSameAtom()
    {
        var config = FromConfig(ChangeKind.Updated, Rules(added: [Ingress("tcp", 3389, 3389, "0.0.0.0/0", "x")]));
        var call = FromCloudTrail(ChangeKind.Updated, Rules(added: [Ingress("tcp", 3389, 3389, "0.0.0.0/0")], withRuleIds: true));

        var atoms = ChangeAtoms.Of(config);

        Assert.Equal([Prefix + "10:rule-added 7:ingress 3:tcp 4:3389 4:3389 9:0.0.0.0/0"], atoms);
        Assert.Equal(atoms, ChangeAtoms.Of(call));
    }

    [Fact]
    public void ConfigRemovingARule_AndARevokeWhichCarriesNoDescription_HaveTheSameAtom()
    {
        var config = FromConfig(ChangeKind.Updated, Rules(removed: [Ingress("tcp", 22, 22, "10.0.0.0/8", "bastion")]));
        var call = FromCloudTrail(ChangeKind.Updated, Rules(removed: [Ingress("tcp", 22, 22, "10.0.0.0/8")]), eventName: "RevokeSecurityGroupIngress");

        Assert.Equal([Prefix + "12:rule-removed 7:ingress 3:tcp 2:22 2:22 10:10.0.0.0/8"], ChangeAtoms.Of(config));
        Assert.Equal(ChangeAtoms.Of(config), ChangeAtoms.Of(call));
    }

    [Fact]
    public void ModifyWithTheOldValueKnown_MatchesConfigsRemovedAndAdded()
    {
        var config = FromConfig(ChangeKind.Updated, Rules(
            added: [Ingress("tcp", 443, 443, "10.1.0.0/16", "api")],
            removed: [Ingress("tcp", 443, 443, "10.0.0.0/8", "api")]));
        var modify = FromCloudTrail(
            ChangeKind.Updated,
            Rules(changed: [new RuleModification(Ingress("tcp", 443, 443, "10.0.0.0/8", "api"), Ingress("tcp", 443, 443, "10.1.0.0/16", "api"), "sgr-0123456789abcdef0")]),
            eventName: "ModifySecurityGroupRules");

        Assert.Equal(
            [
                Prefix + "10:rule-added 7:ingress 3:tcp 3:443 3:443 11:10.1.0.0/16",
                Prefix + "12:rule-removed 7:ingress 3:tcp 3:443 3:443 10:10.0.0.0/8",
            ],
            ChangeAtoms.Of(modify));
        Assert.Equal(ChangeAtoms.Of(config), ChangeAtoms.Of(modify));
    }

    [Fact]
    public void ModifyWithTheOldValueUnknown_IsOnlyTheNewRule_SoConfigsRemovalStaysUncovered()
    {
        var config = FromConfig(ChangeKind.Updated, Rules(
            added: [Ingress("tcp", 443, 443, "10.1.0.0/16")],
            removed: [Ingress("tcp", 443, 443, "10.0.0.0/8")]));
        var modify = FromCloudTrail(
            ChangeKind.Updated,
            Rules(changed: [new RuleModification(null, Ingress("tcp", 443, 443, "10.1.0.0/16"), "sgr-0123456789abcdef0")], completeness: RuleCompleteness.BeforeUnknown),
            eventName: "ModifySecurityGroupRules");

        var atoms = ChangeAtoms.Of(modify);

        Assert.Equal([Prefix + "10:rule-added 7:ingress 3:tcp 3:443 3:443 11:10.1.0.0/16"], atoms);
        Assert.Equal(ChangeAtoms.Of(config).Except(atoms), [Prefix + "12:rule-removed 7:ingress 3:tcp 3:443 3:443 10:10.0.0.0/8"]);
    }

    [Fact]
    public void DescriptionUpdate_IsTheRuleAndItsNewDescription_FromEitherSource()
    {
        var before = Ingress("tcp", 22, 22, "10.0.0.0/8", "old");
        var after = Ingress("tcp", 22, 22, "10.0.0.0/8", "bastion hosts");
        var config = FromConfig(ChangeKind.Updated, Rules(changed: [new RuleModification(before, after)]));
        var call = FromCloudTrail(
            ChangeKind.Updated, Rules(changed: [new RuleModification(before with { Description = null }, after, "sgr-0123456789abcdef0")]),
            eventName: "UpdateSecurityGroupRuleDescriptionsIngress");
        var otherText = FromConfig(ChangeKind.Updated, Rules(changed: [new RuleModification(before, after with { Description = "bastion" })]));

        Assert.Equal([Prefix + "16:rule-description 7:ingress 3:tcp 2:22 2:22 10:10.0.0.0/8 13:bastion hosts"], ChangeAtoms.Of(config));
        Assert.Equal(ChangeAtoms.Of(config), ChangeAtoms.Of(call));
        Assert.NotEqual(ChangeAtoms.Of(config), ChangeAtoms.Of(otherText));
    }

    [Fact]
    public void DescriptionRemoved_IsTheSameAtomWhetherTheSourceSaysEmptyOrNothing()
    {
        var before = Ingress("tcp", 22, 22, "10.0.0.0/8", "old");
        var toNull = FromConfig(ChangeKind.Updated, Rules(changed: [new RuleModification(before, before with { Description = null })]));
        var toEmpty = FromCloudTrail(ChangeKind.Updated, Rules(changed: [new RuleModification(before, before with { Description = "" })]));

        Assert.Equal([Prefix + "16:rule-description 7:ingress 3:tcp 2:22 2:22 10:10.0.0.0/8 0:"], ChangeAtoms.Of(toNull));
        Assert.Equal(ChangeAtoms.Of(toNull), ChangeAtoms.Of(toEmpty));
    }

    [Fact]
    public void CreatedGroup_WithTheDefaultEgressOnlyInConfigsItem_HasTheSameAtomsAsTheCreateCall()
    {
        var tags = new TagState(null, Tags(("OwnerDL", "team@example.com"), ("aws:cloudformation:stack-name", "web")));
        var config = FromConfig(ChangeKind.Created, Rules(added: [DefaultEgress]), tags with { Before = Tags() });
        var call = FromCloudTrail(ChangeKind.Created, Rules(), tags, eventName: "CreateSecurityGroup");

        Assert.Equal([Prefix + "3:tag 7:OwnerDL 16:team@example.com", Prefix + "7:created"], ChangeAtoms.Of(config));
        Assert.Equal(ChangeAtoms.Of(config), ChangeAtoms.Of(call));
    }

    [Fact]
    public void CreatedGroup_KeepsEveryOtherAddedRule_AsTheSameAtomAsItsOwnAuthorizeCall()
    {
        var rdp = Ingress("tcp", 3389, 3389, "0.0.0.0/0", "x");
        var config = FromConfig(ChangeKind.Created, Rules(added: [DefaultEgress, rdp, Egress("all", null, null, "::/0"), Egress("tcp", 443, 443, "0.0.0.0/0")]), new TagState(null, Tags()));
        var authorize = FromCloudTrail(ChangeKind.Updated, Rules(added: [rdp with { Description = null }]));

        var atoms = ChangeAtoms.Of(config);

        // Egress of all traffic to ::/0 is implied like the IPv4 one (EC2 adds it in a VPC with IPv6).
        Assert.Equal(
            [
                Prefix + "10:rule-added 6:egress 3:tcp 3:443 3:443 9:0.0.0.0/0",
                Prefix + "10:rule-added 7:ingress 3:tcp 4:3389 4:3389 9:0.0.0.0/0",
                Prefix + "7:created",
            ],
            atoms);
        Assert.Subset(atoms.ToHashSet(), ChangeAtoms.Of(authorize).ToHashSet());
    }

    [Fact]
    public void DefaultEgressRevokedFromAnExistingGroup_IsAnAtom()
    {
        var revoke = FromCloudTrail(ChangeKind.Updated, Rules(removed: [DefaultEgress]), eventName: "RevokeSecurityGroupEgress");
        var addedBack = FromCloudTrail(ChangeKind.Updated, Rules(added: [DefaultEgress]), eventName: "AuthorizeSecurityGroupEgress");

        Assert.Equal([Prefix + "12:rule-removed 6:egress 3:all 0: 0: 9:0.0.0.0/0"], ChangeAtoms.Of(revoke));
        Assert.Equal([Prefix + "10:rule-added 6:egress 3:all 0: 0: 9:0.0.0.0/0"], ChangeAtoms.Of(addedBack));
    }

    [Fact]
    public void DeletedGroup_IsOnlyDeleted_WithRulesAndTagsOnOneSideOnly()
    {
        var config = FromConfig(
            ChangeKind.Deleted,
            Rules(removed: [DefaultEgress, Ingress("tcp", 22, 22, "10.0.0.0/8", "ssh")]),
            new TagState(Tags(("OwnerDL", "team@example.com")), Tags()));
        var call = FromCloudTrail(ChangeKind.Deleted, RuleChanges.Unknown, TagState.Unknown, eventName: "DeleteSecurityGroup");

        Assert.Equal([Prefix + "7:deleted"], ChangeAtoms.Of(config));
        Assert.Equal(ChangeAtoms.Of(config), ChangeAtoms.Of(call));
    }

    [Fact]
    public void OwnerTagRePointed_IsTheKeyAndItsNewValue_FromEitherSource()
    {
        var config = FromConfig(ChangeKind.Updated, Rules(), new TagState(
            Tags(("Name", "web"), ("OwnerDL", "a@example.com"), ("aws:cloudformation:stack-id", "1")),
            Tags(("Name", "web"), ("OwnerDL", "b@example.com"), ("aws:cloudformation:stack-id", "2"))));
        var call = FromCloudTrail(ChangeKind.Updated, Rules(), new TagState(
            Tags(("OwnerDL", "a@example.com"), ("Name", "web")),
            Tags(("OwnerDL", "b@example.com"), ("Name", "web"))), eventName: "CreateTags");

        Assert.Equal([Prefix + "3:tag 7:OwnerDL 13:b@example.com"], ChangeAtoms.Of(config));
        Assert.Equal(ChangeAtoms.Of(config), ChangeAtoms.Of(call));
    }

    [Fact]
    public void TagRemoved_AndTagAdded_AreSeparateAtoms_KeysComparedOrdinal()
    {
        var change = FromConfig(ChangeKind.Updated, Rules(), new TagState(
            Tags(("NotifyOnChange", "true"), ("owner", "x")),
            Tags(("Owner", "x"))));

        Assert.Equal(
            [
                Prefix + "11:tag-removed 14:NotifyOnChange",
                Prefix + "11:tag-removed 5:owner",
                Prefix + "3:tag 5:Owner 1:x",
            ],
            ChangeAtoms.Of(change));
    }

    [Fact]
    public void TagsFromDictionariesWithOtherComparers_StillCompareOrdinal()
    {
        var before = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["owner"] = "x" };
        var after = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Owner"] = "x" };

        var atoms = ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(), new TagState(before, after)));

        Assert.Equal([Prefix + "11:tag-removed 5:owner", Prefix + "3:tag 5:Owner 1:x"], atoms);
    }

    [Theory]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void TagsWithEitherSideUnknown_GiveNoTagAtoms(bool beforeKnown, bool afterKnown)
    {
        var change = FromCloudTrail(ChangeKind.Updated, Rules(added: [Ingress("tcp", 80, 80, "0.0.0.0/0")]), new TagState(
            beforeKnown ? Tags(("OwnerDL", "a@example.com")) : null,
            afterKnown ? Tags(("OwnerDL", "b@example.com")) : null));

        Assert.Equal([Prefix + "10:rule-added 7:ingress 3:tcp 2:80 2:80 9:0.0.0.0/0"], ChangeAtoms.Of(change));
    }

    [Fact]
    public void RulesKnownOnlyById_GiveNoAtom_AndAChangeOfOnlyThoseHasNone()
    {
        var mixed = FromCloudTrail(ChangeKind.Updated, Rules(added: [Ingress("udp", 53, 53, "10.0.0.0/8")], unknownRuleIds: ["sgr-0aaaaaaaaaaaaaaaa"], completeness: RuleCompleteness.BeforeUnknown));
        var onlyUnknown = FromCloudTrail(ChangeKind.Updated, Rules(unknownRuleIds: ["sgr-0aaaaaaaaaaaaaaaa"], completeness: RuleCompleteness.BeforeUnknown), eventName: "RevokeSecurityGroupIngress");

        Assert.Equal([Prefix + "10:rule-added 7:ingress 3:udp 2:53 2:53 10:10.0.0.0/8"], ChangeAtoms.Of(mixed));
        Assert.Empty(ChangeAtoms.Of(onlyUnknown));
    }

    [Theory]
    [InlineData(RuleCompleteness.CurrentOnly)]
    [InlineData(RuleCompleteness.Unknown)]
    public void UpdateWhoseRuleChangeIsUnknown_HasNoAtoms_EvenWithKnownTags(RuleCompleteness completeness)
    {
        var change = FromConfig(ChangeKind.Updated, Rules(current: [Ingress("tcp", 22, 22, "0.0.0.0/0")], completeness: completeness), new TagState(
            Tags(("OwnerDL", "a@example.com")), Tags(("OwnerDL", "b@example.com"))));

        Assert.Empty(ChangeAtoms.Of(change));
    }

    [Fact]
    public void CreatedGroupReadFromEc2_IsCreatedAndItsCurrentRules()
    {
        var change = FromConfig(ChangeKind.Created, Rules(current: [DefaultEgress, Ingress("tcp", 22, 22, "0.0.0.0/0", "ssh")], completeness: RuleCompleteness.CurrentOnly), new TagState(null, Tags()));

        Assert.Equal([Prefix + "10:rule-added 7:ingress 3:tcp 2:22 2:22 9:0.0.0.0/0", Prefix + "7:created"], ChangeAtoms.Of(change));
    }

    [Fact]
    public void CreatedGroupWithUnknownRules_HasNoAtoms_SoItIsNeverTakenAsCovered()
    {
        Assert.Empty(ChangeAtoms.Of(FromConfig(ChangeKind.Created, RuleChanges.Unknown, new TagState(null, Tags()))));
    }

    [Theory]
    [InlineData(RuleCompleteness.CurrentOnly)]
    [InlineData(RuleCompleteness.Unknown)]
    public void DeletedGroup_IsDeletedWhateverIsKnownOfItsRules(RuleCompleteness completeness)
    {
        Assert.Equal([Prefix + "7:deleted"], ChangeAtoms.Of(FromConfig(ChangeKind.Deleted, Rules(completeness: completeness), TagState.Unknown)));
    }

    [Fact]
    public void ProtocolsPortsAndPeers_AreAllPartOfTheIdentity()
    {
        SecurityGroupRule[] rules =
        [
            Ingress("all", null, null, "0.0.0.0/0"),
            Ingress("tcp", 0, 65535, "0.0.0.0/0"),
            Ingress("icmp", 8, -1, "0.0.0.0/0"),
            Ingress("icmp", -1, -1, "0.0.0.0/0"),
            Ingress("icmpv6", -1, -1, "::/0"),
            Ingress("50", null, null, "0.0.0.0/0"),
            Ingress("tcp", 22, 22, "2001:db8::/32"),
            Ingress("tcp", 22, 22, "pl-0a1b2c3d"),
            Ingress("tcp", 22, 22, "sg-0fedcba9876543210"),
            Ingress("tcp", 22, 22, "444455556666/sg-0fedcba9876543210"),
            Egress("tcp", 22, 22, "sg-0fedcba9876543210"),
        ];

        var atoms = ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(added: rules)));

        Assert.Equal(rules.Length, atoms.Count);
        Assert.Contains(Prefix + "10:rule-added 7:ingress 4:icmp 1:8 2:-1 9:0.0.0.0/0", atoms);
        Assert.Contains(Prefix + "10:rule-added 7:ingress 3:tcp 2:22 2:22 33:444455556666/sg-0fedcba9876543210", atoms);
    }

    [Fact]
    public void TheSameRuleInAnotherGroupAccountOrRegion_IsAnotherAtom()
    {
        var rule = Ingress("tcp", 22, 22, "0.0.0.0/0");
        var atoms = new[]
        {
            Group(),
            Group(groupId: "sg-0ffffffffffffffff"),
            Group(accountId: "210987654321"),
            Group(region: "us-east-1"),
        }.Select(g => Assert.Single(ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(added: [rule]), group: g)))).ToList();

        Assert.Equal(4, atoms.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Atoms_AreDistinctAndSortedOrdinal()
    {
        var rule = Ingress("tcp", 22, 22, "0.0.0.0/0");
        var change = FromConfig(ChangeKind.Updated, Rules(
            added: [rule, rule with { Description = "again" }, Ingress("tcp", 21, 21, "0.0.0.0/0")],
            removed: [Ingress("tcp", 23, 23, "0.0.0.0/0")]), new TagState(Tags(), Tags(("b", "1"), ("a", "1"))));

        var atoms = ChangeAtoms.Of(change);

        Assert.Equal(5, atoms.Count);
        Assert.Equal(atoms.Order(StringComparer.Ordinal), atoms);
    }

    [Fact]
    public void ValuesThatLookLikeTheSeparators_CannotForgeAnotherAtom()
    {
        var split = ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(), new TagState(Tags(), Tags(("a 1:b", "c")))));
        var joined = ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(), new TagState(Tags(), Tags(("a", "b 1:c")))));
        var description = ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(changed: [new RuleModification(
            Ingress("tcp", 22, 22, "0.0.0.0/0"), Ingress("tcp", 22, 22, "0.0.0.0/0", "x 7:created"))])));

        Assert.NotEqual(split, joined);
        Assert.DoesNotContain(Prefix + "7:created", description);
        Assert.Equal(Prefix + "3:tag 5:a 1:b 1:c", Assert.Single(split));
    }

    [Fact]
    public void NullChange_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => ChangeAtoms.Of(null!));
    }
}
