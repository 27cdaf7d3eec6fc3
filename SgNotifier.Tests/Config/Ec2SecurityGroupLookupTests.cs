using System.Globalization;
using Amazon.EC2.Model;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Sources.Config;
using SgNotifier.Tests.Aws;

namespace SgNotifier.Tests.Config;

/// <summary>The EC2 reads of issue 17 against the loopback EC2, through the real SDK client and the account's role.</summary>
public sealed class Ec2SecurityGroupLookupTests
{
    private const string Account = "210987654321";
    private const string Region = "eu-west-1";
    private const string GroupId = "sg-0123456789abcdef0";
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 9, 20, 0, TimeSpan.Zero);

    /// <summary>The rules of <c>TestData/Groups/config-item-every-rule-shape.json</c>, as EC2 stores them (numbers for protocols, mixed case IPv6).</summary>
    private static readonly StubRule[] EveryShape =
    [
        new(RuleId(1), false, "tcp", 22, 22, CidrIpv4: "203.0.113.0/24", Description: "office"),
        new(RuleId(2), false, "6", 22, 22, CidrIpv6: "2001:db8:ABCD::/48", Description: "office v6"),
        new(RuleId(3), false, "udp", 0, 65535, CidrIpv4: "10.0.0.0/8"),
        new(RuleId(4), false, "17", 0, 65535, PrefixListId: "pl-0a1b2c3d4e5f60718", Description: "s3"),
        new(RuleId(5), false, "icmp", 8, -1, CidrIpv4: "0.0.0.0/0", Description: "ping"),
        new(RuleId(6), false, "58", -1, -1, CidrIpv6: "::/0"),
        new(RuleId(7), false, "tcp", 3306, 3306, ReferencedGroupId: "sg-0aaa1111bbbb2222c", ReferencedUserId: Account, Description: "app tier"),
        new(RuleId(8), false, "tcp", 3306, 3306, ReferencedGroupId: "sg-0ddd3333eeee4444f", ReferencedUserId: "444455556666", Description: "peered analytics"),
        new(RuleId(9), false, "50", null, null, CidrIpv4: "198.51.100.7/32", Description: "vpn peer"),
        new(RuleId(10), true, "-1", null, null, CidrIpv4: "0.0.0.0/0"),
        new(RuleId(11), true, "-1", null, null, CidrIpv6: "::/0"),
    ];

    [Fact]
    public async Task GroupState_HasNameVpcTagsAndRulesWithTheirIds()
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.Found, result.Status);
        var state = result.Value!;
        Assert.Equal(GroupId, state.Group.Id);
        Assert.Equal("every-shape", state.Group.Name);
        Assert.Equal(Account, state.Group.AccountId);
        Assert.Equal(Region, state.Group.Region);
        Assert.Equal("vpc-0f1e2d3c4b5a69788", state.Group.VpcId);
        Assert.Equal($"arn:aws:ec2:{Region}:{Account}:security-group/{GroupId}", state.Group.Arn);
        Assert.Equal("team@example.com", Assert.Single(state.Tags).Value);
        Assert.Equal("ec2", state.Origin);
        Assert.Equal(Now, state.ObservedAt);
        Assert.False(state.Deleted);
        Assert.Equal(EveryShape.Select(static r => r.RuleId), state.Rules!.Select(static r => r.RuleId));
        Assert.Contains(state.Rules!, static r => r.RuleId == RuleId(8) && r.Rule.Peer == "444455556666/sg-0ddd3333eeee4444f");
        var call = Assert.Single(stub.Ec2Calls("DescribeSecurityGroupRules"));
        Assert.Equal("group-id", call["Filter.1.Name"]);
        Assert.Equal(GroupId, call["Filter.1.Value.1"]);
        Assert.Equal(Account, stub.AccountOf(stub.Requests.Last()));
    }

    [Fact]
    public async Task SameRules_FromAConfigItemAndFromEc2_CompareEqual()
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        using var aws = Create(stub);
        var message = ConfigMessageParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Groups", "config-item-every-rule-shape.json")));
        var fromConfig = PermissionFlattener.Flatten(message.Item!.Configuration, message.Item.AwsAccountId).Order(SecurityGroupRuleComparer.Instance).ToList();

        var withIds = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);
        stub.FailNext("DescribeSecurityGroupRules", 403, "UnauthorizedOperation");
        var fromPermissions = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);

        Assert.Equal(11, fromConfig.Count);
        Assert.Equal(fromConfig, withIds.Value!.Rules!.Select(static r => r.Rule).Order(SecurityGroupRuleComparer.Instance));
        Assert.Equal(fromConfig, fromPermissions.Value!.Rules!.Select(static r => r.Rule).Order(SecurityGroupRuleComparer.Instance));
        Assert.All(fromPermissions.Value.Rules!, static r => Assert.Null(r.RuleId));
    }

    [Fact]
    public async Task ManyRules_AreReadPageByPage()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var rules = Enumerable.Range(1, 2100).Select(static i => new StubRule(RuleId(i), i % 2 == 0, "tcp", i % 65536, i % 65536, CidrIpv4: "10.0.0.0/8")).ToArray();
        Seed(stub, rules);
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0ffffffffffffffff", "other", "vpc-0f1e2d3c4b5a69788", new Dictionary<string, string>(), [new StubRule(RuleId(9999), false, "tcp", 1, 1, CidrIpv4: "0.0.0.0/0")]));
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);

        Assert.Equal(2100, result.Value!.Rules!.Count);
        Assert.Equal(rules.Select(static r => r.RuleId), result.Value.Rules!.Select(static r => r.RuleId));
        var calls = stub.Ec2Calls("DescribeSecurityGroupRules");
        Assert.Equal(3, calls.Count);
        Assert.All(calls, static c => Assert.Equal("1000", c["MaxResults"]));
        Assert.False(calls[0].ContainsKey("NextToken"));
        Assert.Equal(["page-1000", "page-2000"], calls.Skip(1).Select(static c => c["NextToken"]));
    }

    [Theory]
    [InlineData("sg-0bbbbbbbbbbbbbbbb")]
    [InlineData("sg-not-hex")]
    public async Task MissingOrMalformedGroup_IsNotFound(string groupId)
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, groupId, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
        Assert.True(result.IsNotFound);
        Assert.Contains(groupId == "sg-not-hex" ? "InvalidGroupId.Malformed" : "InvalidGroup.NotFound", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DescribeSecurityGroupRules", 503, "RequestLimitExceeded")]
    [InlineData("DescribeSecurityGroupRules", 500, "InternalError")]
    [InlineData("DescribeSecurityGroupRules", 501, "NotImplemented")]
    public async Task RulesCallFailingTransiently_AfterTheGroupWasDescribed_FallsBackToThePermissions(string action, int status, string code)
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        stub.FailNext(action, status, code);
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);

        // The tags route the change; only the rule ids are lost, and the log says why.
        Assert.Equal(AwsLookupStatus.Found, result.Status);
        Assert.Equal(EveryShape.Length, result.Value!.Rules!.Count);
        Assert.All(result.Value.Rules!, static r => Assert.Null(r.RuleId));
        Assert.Contains(aws.Logger.Collector.GetSnapshot(), r => r.Id.Id == 6162 && r.Message.Contains(code, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("DescribeSecurityGroups", 503, "RequestLimitExceeded")]
    [InlineData("DescribeSecurityGroups", 500, "InternalError")]
    public async Task Throttling_IsTransient(string action, int status, string code)
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        stub.FailNext(action, status, code);
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.TransientFailure, result.Status);
        Assert.False(result.IsNotFound);
        Assert.Contains(code, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RulesCallDenied_FallsBackToThePermissionsWithoutIds_AndSaysSo()
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        stub.FailNext("DescribeSecurityGroupRules", 403, "UnauthorizedOperation");
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.Found, result.Status);
        Assert.Equal(EveryShape.Length, result.Value!.Rules!.Count);
        Assert.All(result.Value.Rules!, static r => Assert.Null(r.RuleId));
        var log = Assert.Single(aws.Logger.Collector.GetSnapshot(), static r => r.Id.Id == 6162);
        Assert.Contains("UnauthorizedOperation", log.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GroupsCallDenied_IsPermanent_NotNotFound()
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        stub.FailNext("DescribeSecurityGroups", 403, "UnauthorizedOperation");
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, GroupId, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
        Assert.False(result.IsNotFound);
        Assert.Empty(stub.Ec2Calls("DescribeSecurityGroupRules"));
    }

    [Theory]
    [InlineData("us-east-1.evil.example")]
    [InlineData("EU-WEST-1")]
    [InlineData("")]
    public async Task RegionThatIsNotARegion_IsRefusedWithoutARequest(string region)
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        using var aws = Create(stub);

        var state = await aws.Lookup.DescribeGroupStateAsync(Account, region, GroupId, CancellationToken.None);
        var byName = await aws.Lookup.FindGroupIdByNameAsync(Account, region, "every-shape", null, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, state.Status);
        Assert.Equal(AwsLookupStatus.PermanentFailure, byName.Status);
        Assert.False(state.IsNotFound);
        Assert.Empty(stub.Requests);
    }

    [Theory]
    [InlineData("")]
    [InlineData("sg-0123456789abcdef0sg-0123456789abcdef0sg-0123456789abcdef0sg-0123")]
    public async Task GroupIdEmptyOrTooLong_IsRefusedWithoutARequest(string groupId)
    {
        await using var stub = await AwsApiStub.StartAsync();
        using var aws = Create(stub);

        var result = await aws.Lookup.DescribeGroupStateAsync(Account, Region, groupId, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
        Assert.False(result.IsNotFound);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task ByNameInTheDefaultVpc_FindsExactlyThatGroup()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0aaaaaaaaaaaaaaa1", "web", stub.DefaultVpcId, new Dictionary<string, string>(), []));
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0aaaaaaaaaaaaaaa2", "web", "vpc-0f1e2d3c4b5a69788", new Dictionary<string, string>(), []));
        using var aws = Create(stub);

        var result = await aws.Lookup.FindGroupIdByNameAsync(Account, Region, "web", null, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.Found, result.Status);
        Assert.Equal("sg-0aaaaaaaaaaaaaaa1", result.Value);
        Assert.Equal("web", Assert.Single(stub.Ec2Calls("DescribeSecurityGroups"))["GroupName.1"]);
    }

    [Fact]
    public async Task ByNameInAVpc_UsesFiltersAndFindsThatVpcsGroup()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0aaaaaaaaaaaaaaa1", "web", stub.DefaultVpcId, new Dictionary<string, string>(), []));
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0aaaaaaaaaaaaaaa2", "web", "vpc-0f1e2d3c4b5a69788", new Dictionary<string, string>(), []));
        using var aws = Create(stub);

        var result = await aws.Lookup.FindGroupIdByNameAsync(Account, Region, "web", "vpc-0f1e2d3c4b5a69788", CancellationToken.None);

        Assert.Equal("sg-0aaaaaaaaaaaaaaa2", result.Value);
        var call = Assert.Single(stub.Ec2Calls("DescribeSecurityGroups"));
        Assert.Equal("group-name", call["Filter.1.Name"]);
        Assert.Equal("web", call["Filter.1.Value.1"]);
        Assert.Equal("vpc-id", call["Filter.2.Name"]);
        Assert.False(call.ContainsKey("GroupName.1"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("vpc-0f1e2d3c4b5a69788")]
    public async Task ByName_NoSuchGroup_IsNotFound(string? vpcId)
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0aaaaaaaaaaaaaaa1", "Web", vpcId ?? stub.DefaultVpcId, new Dictionary<string, string>(), []));
        using var aws = Create(stub);

        var result = await aws.Lookup.FindGroupIdByNameAsync(Account, Region, "web", vpcId, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
        Assert.True(result.IsNotFound);
        Assert.Null(result.Value);
    }

    [Fact]
    public async Task ByName_TwoMatches_IsAPermanentFailureNeverAGuess()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0aaaaaaaaaaaaaaa1", "web", "vpc-0f1e2d3c4b5a69788", new Dictionary<string, string>(), []));
        stub.AddGroup(Account, Region, new StubSecurityGroup("sg-0aaaaaaaaaaaaaaa2", "web", "vpc-0f1e2d3c4b5a69788", new Dictionary<string, string>(), []));
        using var aws = Create(stub);

        var result = await aws.Lookup.FindGroupIdByNameAsync(Account, Region, "web", "vpc-0f1e2d3c4b5a69788", CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
        Assert.False(result.IsNotFound);
        Assert.Null(result.Value);
        Assert.Contains("not guessing", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByName_Throttled_IsTransient_AndDenied_IsPermanent()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.FailNext("DescribeSecurityGroups", 503, "RequestLimitExceeded");
        stub.FailNext("DescribeSecurityGroups", 403, "UnauthorizedOperation");
        using var aws = Create(stub);

        var throttled = await aws.Lookup.FindGroupIdByNameAsync(Account, Region, "web", null, CancellationToken.None);
        var denied = await aws.Lookup.FindGroupIdByNameAsync(Account, Region, "web", null, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.TransientFailure, throttled.Status);
        Assert.Equal(AwsLookupStatus.PermanentFailure, denied.Status);
        Assert.False(denied.IsNotFound);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task ByName_WithoutAName_IsRefusedWithoutARequest(string? name)
    {
        await using var stub = await AwsApiStub.StartAsync();
        using var aws = Create(stub);

        var result = await aws.Lookup.FindGroupIdByNameAsync(Account, Region, name!, null, CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task Stub_AnswersRuleIdsAndRefusesUnknownTokens_AsEc2Does()
    {
        await using var stub = await AwsApiStub.StartAsync();
        Seed(stub, EveryShape);
        using var aws = Create(stub);
        var client = (await aws.Clients.Ec2Async(Account, Region, CancellationToken.None)).Client!;

        var byId = await client.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest { SecurityGroupRuleIds = [RuleId(8)] });
        var badToken = await Assert.ThrowsAsync<Amazon.EC2.AmazonEC2Exception>(() => client.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest { NextToken = "forged" }));
        var unknown = await Assert.ThrowsAsync<Amazon.EC2.AmazonEC2Exception>(() => client.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest { SecurityGroupRuleIds = [RuleId(77)] }));

        var rule = Assert.Single(byId.SecurityGroupRules);
        Assert.Equal(GroupId, rule.GroupId);
        Assert.Equal(Account, rule.GroupOwnerId);
        Assert.False(rule.IsEgress);
        Assert.Equal("sg-0ddd3333eeee4444f", rule.ReferencedGroupInfo.GroupId);
        Assert.Equal("444455556666", rule.ReferencedGroupInfo.UserId);
        Assert.Equal("peered analytics", rule.Description);
        Assert.Equal("InvalidPaginationToken", badToken.ErrorCode);
        Assert.Equal("InvalidSecurityGroupRuleId.NotFound", unknown.ErrorCode);
    }

    private static string RuleId(int n) => string.Create(CultureInfo.InvariantCulture, $"sgr-{n:x17}");

    private static void Seed(AwsApiStub stub, StubRule[] rules) =>
        stub.AddGroup(Account, Region, new StubSecurityGroup(GroupId, "every-shape", "vpc-0f1e2d3c4b5a69788", new Dictionary<string, string> { ["OwnerDL"] = "team@example.com" }, rules));

    private static Ec2 Create(AwsApiStub stub)
    {
        var options = AwsTestSetup.Options(stub);
        var credentials = AwsTestSetup.Credentials(options);
        var clients = new AwsClients(Options.Create(options), credentials);
        var logger = new FakeLogger<Ec2SecurityGroupLookup>();
        return new Ec2(credentials, clients, new Ec2SecurityGroupLookup(clients, new FakeTimeProvider(Now), logger), logger);
    }

    private sealed record Ec2(AwsCredentialCache Credentials, AwsClients Clients, Ec2SecurityGroupLookup Lookup, FakeLogger<Ec2SecurityGroupLookup> Logger) : IDisposable
    {
        public void Dispose()
        {
            Clients.Dispose();
            Credentials.Dispose();
        }
    }
}
