using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;

namespace SgNotifier.Tests.Aws;

public sealed class AwsClientsTests
{
    private const string GroupXml = """
        <?xml version="1.0" encoding="UTF-8"?>
        <DescribeSecurityGroupsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
          <requestId>1</requestId>
          <securityGroupInfo><item><ownerId>210987654321</ownerId><groupId>sg-0a1b2c3d4e5f60718</groupId><groupName>app</groupName>
            <groupDescription>app</groupDescription><vpcId>vpc-0f1e2d3c4b5a69788</vpcId><ipPermissions/><ipPermissionsEgress/>
            <tagSet><item><key>NotifyOnChange</key><value>yes</value></item></tagSet></item></securityGroupInfo>
        </DescribeSecurityGroupsResponse>
        """;

    private static (AwsCredentialCache Credentials, AwsClients Clients, Ec2SecurityGroupLookup Lookup) Create(AwsApiStub stub)
    {
        var options = AwsTestSetup.Options(stub);
        var credentials = AwsTestSetup.Credentials(options);
        var clients = new AwsClients(Options.Create(options), credentials);
        return (credentials, clients, new Ec2SecurityGroupLookup(clients));
    }

    [Fact]
    public async Task Ec2Lookup_UsesTheChangedAccountsRole()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Ec2Body = GroupXml;
        var (credentials, clients, lookup) = Create(stub);
        using var _ = credentials;
        using var __ = clients;

        var a = await lookup.DescribeAsync("210987654321", "sg-0a1b2c3d4e5f60718", "eu-west-1", CancellationToken.None);
        var b = await lookup.DescribeAsync("123456789012", "sg-0a1b2c3d4e5f60718", "eu-west-1", CancellationToken.None);

        Assert.Equal(AwsLookupStatus.Found, a.Status);
        Assert.Equal(AwsLookupStatus.Found, b.Status);
        var ec2 = stub.Requests.Where(static r => r.BodyText.Contains("Action=DescribeSecurityGroups", StringComparison.Ordinal)).ToList();
        Assert.Equal(["210987654321", "123456789012"], ec2.Select(stub.AccountOf).ToArray());
    }

    [Fact]
    public async Task Ec2Lookup_RoleNotAssumable_IsAPermanentProblemNamingTheAccount()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.DeniedRoles["arn:aws:iam::210987654321:role/SgNotifierReader"] = true;
        var (credentials, clients, lookup) = Create(stub);
        using var _ = credentials;
        using var __ = clients;

        var result = await lookup.DescribeAsync("210987654321", "sg-0a1b2c3d4e5f60718", "eu-west-1", CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
        Assert.Contains("account 210987654321", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_AreCachedPerAccountAndRegion_AndBogusRegionsRefused()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var (credentials, clients, _) = Create(stub);
        using var c = credentials;
        using var d = clients;

        var first = await clients.Ec2Async("210987654321", "eu-west-1", CancellationToken.None);
        var same = await clients.Ec2Async("210987654321", "eu-west-1", CancellationToken.None);
        var otherRegion = await clients.Ec2Async("210987654321", "us-east-1", CancellationToken.None);
        var bogus = await clients.S3Async("210987654321", "us-east-1.evil.example", CancellationToken.None);

        Assert.Same(first.Client, same.Client);
        Assert.NotSame(first.Client, otherRegion.Client);
        Assert.Null(bogus.Client);
    }
}
