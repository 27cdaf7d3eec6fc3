using SgNotifier.Core.Diff;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Tests.Diff;

public class PermissionFlattenerTests
{
    private const string Account = "111122223333";

    [Theory]
    [InlineData("-1", "all")]
    [InlineData("ALL", "all")]
    [InlineData("6", "tcp")]
    [InlineData("TCP", "tcp")]
    [InlineData("17", "udp")]
    [InlineData("1", "icmp")]
    [InlineData("58", "icmpv6")]
    [InlineData("50", "50")]
    [InlineData("047", "47")]
    [InlineData(" gre ", "gre")]
    public void Protocol_IsNormalised(string raw, string normalised) =>
        Assert.Equal(normalised, PermissionFlattener.NormalizeProtocol(raw));

    [Fact]
    public void PermissionWithManyPeers_BecomesOneRulePerPeer()
    {
        var permission = new IpPermission(
            "tcp", 443, 443,
            [new PeerEntry("0.0.0.0/0", "web")],
            [new PeerEntry("2001:DB8::/32", null)],
            [new PeerEntry("pl-0a1b2c3d", "office")],
            [
                new UserIdGroupPair("sg-0aaa1111bbbb2222c", null, Account, "same account", null, null),
                new UserIdGroupPair("sg-0ddd3333eeee4444f", null, "444455556666", null, null, "active"),
                new UserIdGroupPair(null, "classic-group", null, null, null, null),
            ]);

        var rules = PermissionFlattener.Flatten(RuleDirection.Ingress, permission, Account);

        Assert.Equal(
            ["0.0.0.0/0", "2001:db8::/32", "pl-0a1b2c3d", "sg-0aaa1111bbbb2222c", "444455556666/sg-0ddd3333eeee4444f", "classic-group"],
            rules.Select(r => r.Peer));
        Assert.All(rules, r => Assert.Equal((443, 443), (r.FromPort!.Value, r.ToPort!.Value)));
    }

    [Theory]
    [InlineData("-1", 0, 65535, null, null)]
    [InlineData("tcp", null, null, 0, 65535)]
    [InlineData("udp", -1, -1, 0, 65535)]
    [InlineData("icmp", null, null, -1, -1)]
    [InlineData("icmp", 8, 0, 8, 0)]
    [InlineData("50", -1, -1, null, null)]
    public void Ports_AreNormalisedPerProtocol(string protocol, int? from, int? to, int? expectedFrom, int? expectedTo)
    {
        var permission = new IpPermission(protocol, from, to, [new PeerEntry("10.0.0.0/8", null)], [], [], []);

        var rule = Assert.Single(PermissionFlattener.Flatten(RuleDirection.Ingress, permission, Account));

        Assert.Equal((expectedFrom, expectedTo), (rule.FromPort, rule.ToPort));
    }

    [Theory]
    [InlineData("6", null, null, "tcp", 0, 65535)]
    [InlineData("tcp", -1, -1, "tcp", 0, 65535)]
    [InlineData("17", 53, 53, "udp", 53, 53)]
    [InlineData("icmp", 8, null, "icmp", 8, -1)]
    [InlineData("58", -1, -1, "icmpv6", -1, -1)]
    [InlineData("-1", -1, -1, "all", null, null)]
    [InlineData("50", -1, -1, "50", null, null)]
    public void OneRule_IsNormalisedAsConfigsPermissionsAre(string protocol, int? from, int? to, string expectedProtocol, int? expectedFrom, int? expectedTo)
    {
        var rule = PermissionFlattener.Rule(RuleDirection.Egress, protocol, from, to, "10.0.0.0/8", "");
        var permission = new IpPermission(protocol, from, to, [new PeerEntry("10.0.0.0/8", null)], [], [], []);

        Assert.Equal(new SecurityGroupRule(RuleDirection.Egress, expectedProtocol, expectedFrom, expectedTo, "10.0.0.0/8", null), rule);
        Assert.Equal(PermissionFlattener.Flatten(RuleDirection.Egress, permission, Account).Single(), rule);
    }

    [Fact]
    public void OneRule_LowerCasesIPv6AndWritesGroupPeersAsConfigDoes()
    {
        Assert.Equal("2001:db8::/32", PermissionFlattener.Rule(RuleDirection.Ingress, "tcp", 22, 22, " 2001:DB8::/32 ", null).Peer);
        Assert.Equal("sg-0aaa1111bbbb2222c", PermissionFlattener.GroupPeer("sg-0aaa1111bbbb2222c", Account, Account));
        Assert.Equal("sg-0aaa1111bbbb2222c", PermissionFlattener.GroupPeer("sg-0aaa1111bbbb2222c", null, Account));
        Assert.Equal("444455556666/sg-0aaa1111bbbb2222c", PermissionFlattener.GroupPeer("sg-0aaa1111bbbb2222c", "444455556666", Account));
    }
}
