using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Tests.Diff;

public class RuleRiskAssessorTests
{
    private static readonly IReadOnlyCollection<int> Defaults = NotifyOptions.DefaultRiskyPorts;

    [Theory]
    [InlineData("tcp", 22, 22, "0.0.0.0/0", true, true)]
    [InlineData("udp", 20, 21, "::/0", true, true)]
    [InlineData("tcp", 0, 65535, "0.0.0.0/0", true, true)]
    [InlineData("tcp", 1500, 2000, "0.0.0.0/0", false, true)]
    [InlineData("tcp", 1000, 2000, "0.0.0.0/0", true, true)]
    [InlineData("tcp", 443, 443, "0.0.0.0/0", false, true)]
    [InlineData("tcp", 22, 22, "10.0.0.0/8", false, false)]
    [InlineData("tcp", 22, 22, "0.0.0.0/1", false, false)]
    [InlineData("tcp", 3389, 3389, "sg-0aaa1111bbbb2222c", false, false)]
    [InlineData("tcp", 22, 22, "0::0/0", true, true)]
    [InlineData("all", null, null, "0.0.0.0/0", true, true)]
    [InlineData("all", null, null, "198.51.100.0/24", false, false)]
    [InlineData("icmp", 22, -1, "0.0.0.0/0", false, true)]
    [InlineData("icmpv6", -1, -1, "::/0", false, true)]
    [InlineData("50", null, null, "0.0.0.0/0", false, true)]
    public void IngressRule_IsAssessed(string protocol, int? from, int? to, string peer, bool risky, bool isPublic)
    {
        var assessed = RuleRiskAssessor.Assess(new SecurityGroupRule(RuleDirection.Ingress, protocol, from, to, peer, null), Defaults);

        Assert.Equal(risky, assessed.Risky);
        Assert.Equal(isPublic, assessed.Public);
    }

    [Fact]
    public void EgressToTheWorld_IsPublicButNeverRisky()
    {
        var assessed = RuleRiskAssessor.Assess(new SecurityGroupRule(RuleDirection.Egress, "all", null, null, "0.0.0.0/0", null), Defaults);

        Assert.False(assessed.Risky);
        Assert.True(assessed.Public);
    }

    [Fact]
    public void ConfiguredRiskyPorts_ReplaceTheDefaults()
    {
        var rule = new SecurityGroupRule(RuleDirection.Ingress, "tcp", 443, 443, "0.0.0.0/0", null);

        Assert.True(RuleRiskAssessor.Assess(rule, [443]).Risky);
        Assert.False(RuleRiskAssessor.Assess(rule with { FromPort = 22, ToPort = 22 }, [443]).Risky);
    }
}
