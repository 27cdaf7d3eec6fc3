using System.Text.Json.Nodes;
using SgNotifier.Core.Aws;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Aws;

public sealed class CloudTrailLookupEventsClientTests
{
    private const string Account = "210987654321";
    private const string GroupId = "sg-0a1b2c3d4e5f60718";
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset End = new(2026, 11, 24, 9, 17, 0, TimeSpan.Zero);

    internal static List<string> Records(int count, string groupId = GroupId)
    {
        var template = JsonNode.Parse(File.ReadAllText(RepositoryPaths.TestData("CloudTrail", "identities.json")))!.AsArray()[0]!["record"]!;
        return Enumerable.Range(0, count).Select(i =>
        {
            var record = template.DeepClone();
            record["eventID"] = $"00000000-0000-4000-8000-{i:D12}";
            record["eventTime"] = Start.AddSeconds(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            record["requestParameters"]!["groupId"] = groupId;
            return record.ToJsonString();
        }).ToList();
    }

    private static async Task<CloudTrailLookupResult> LookupAsync(AwsApiStub stub, Action<Core.Aws.AwsOptions>? configure = null, string account = Account)
    {
        var options = AwsTestSetup.Options(stub);
        configure?.Invoke(options);
        using var credentials = AwsTestSetup.Credentials(options);
        using var client = AwsTestSetup.CloudTrail(options, credentials);
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        return await client.LookupAsync(account, "eu-west-1", "ResourceName", GroupId, Start, End, budget.Token);
    }

    [Fact]
    public async Task Request_IsJson11WithTargetAndSignedSessionToken()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = Records(1);

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Completed, result.Status);
        var request = Assert.Single(stub.CloudTrailRequests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Equal("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents", request.Headers["X-Amz-Target"]);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIA210987654321", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("/eu-west-1/cloudtrail/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Contains("x-amz-security-token", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.StartsWith("token-210987654321-", request.Headers["X-Amz-Security-Token"], StringComparison.Ordinal);
        var body = JsonNode.Parse(request.BodyText)!;
        Assert.Equal("ResourceName", (string?)body["LookupAttributes"]![0]!["AttributeKey"]);
        Assert.Equal(GroupId, (string?)body["LookupAttributes"]![0]!["AttributeValue"]);
        Assert.Equal(Start.ToUnixTimeSeconds(), (long)body["StartTime"]!);
        Assert.Equal(End.ToUnixTimeSeconds(), (long)body["EndTime"]!);
        Assert.Null(body["EventCategory"]);
    }

    [Fact]
    public async Task BaseCredentials_SendNoSessionToken()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = Records(1);

        var result = await LookupAsync(stub, static o => { o.RoleArnTemplate = null; o.ExternalId = null; });

        Assert.Equal(CloudTrailLookupStatus.Completed, result.Status);
        var request = Assert.Single(stub.CloudTrailRequests);
        Assert.False(request.Headers.ContainsKey("X-Amz-Security-Token"));
        Assert.Equal(AwsApiStub.BaseAccessKey, AwsApiStub.AccessKeyOf(request));
    }

    [Fact]
    public async Task Pages_FollowNextTokenWithTheSameParameters()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = Records(7);
        stub.PageSize = 3;

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Completed, result.Status);
        Assert.Equal(7, result.Events.Count);
        Assert.Equal(7, result.Events.Select(static e => e.EventId).Distinct().Count());
        var bodies = stub.CloudTrailRequests.Select(static r => JsonNode.Parse(r.BodyText)!.AsObject()).ToList();
        Assert.Equal(["", "page-3", "page-6"], bodies.Select(static b => (string?)b["NextToken"] ?? "").ToArray());
        Assert.All(bodies, b => Assert.Equal((long)bodies[0]["StartTime"]!, (long)b["StartTime"]!));
    }

    [Fact]
    public async Task HttpTooManyRequests_IsRetriedOnce_ThenThrottled()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = Records(1);
        stub.CloudTrailFailures.Enqueue((429, "Rate exceeded", null));
        stub.CloudTrailFailures.Enqueue((429, "Rate exceeded", null));

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Throttled, result.Status);
        Assert.Contains("HTTP 429", result.Problem, StringComparison.Ordinal);
        Assert.Equal(2, stub.CloudTrailRequests.Count());
    }

    [Fact]
    public async Task ThrottlingException_IsRetriedOnce_ThenAnswered()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = Records(2);
        stub.CloudTrailFailures.Enqueue((400, """{"__type":"com.amazonaws.cloudtrail.v20131101#ThrottlingException","message":"Rate exceeded"}""", null));

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Completed, result.Status);
        Assert.Equal(2, result.Events.Count);
    }

    [Fact]
    public async Task ThrottlingInTheErrorTypeHeader_IsThrottled()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((400, "", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"));
        stub.CloudTrailFailures.Enqueue((400, "", "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"));

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Throttled, result.Status);
        Assert.Contains("ThrottlingException", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccessDenied_IsAccessDenied()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((400, """{"__type":"AccessDeniedException","message":"User: arn:aws:sts::210987654321:assumed-role/SgNotifierReader/sgnotifier is not authorized to perform: cloudtrail:LookupEvents"}""", null));

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.AccessDenied, result.Status);
        Assert.Contains("AccessDeniedException", result.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("is not authorized", result.Problem, StringComparison.Ordinal); // no bodies in problems
    }

    [Fact]
    public async Task RoleNotAssumable_IsAccessDeniedNamingTheAccount()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.DeniedRoles["arn:aws:iam::210987654321:role/SgNotifierReader"] = true;

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.AccessDenied, result.Status);
        Assert.Contains("could not assume arn:aws:iam::210987654321:role/SgNotifierReader", result.Problem, StringComparison.Ordinal);
        Assert.Empty(stub.CloudTrailRequests);
    }

    [Fact]
    public async Task ExpiredSession_IsAssumedAgainAndTheLookupRepeated()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = Records(1);
        var options = AwsTestSetup.Options(stub);
        using var credentials = AwsTestSetup.Credentials(options);
        using var client = AwsTestSetup.CloudTrail(options, credentials);

        var first = await client.LookupAsync(Account, "eu-west-1", "ResourceName", GroupId, Start, End, CancellationToken.None);
        stub.ExpireAllSessions();
        var second = await client.LookupAsync(Account, "eu-west-1", "ResourceName", GroupId, Start, End, CancellationToken.None);

        Assert.Equal(CloudTrailLookupStatus.Completed, first.Status);
        Assert.Equal(CloudTrailLookupStatus.Completed, second.Status);
        Assert.Single(second.Events);
        Assert.Equal(2, stub.StsCalls.Count());
        var tokens = stub.CloudTrailRequests.Select(static r => r.Headers["X-Amz-Security-Token"]).ToList();
        Assert.Equal(3, tokens.Count); // ok, expired, ok with the new session
        Assert.Equal(tokens[0], tokens[1]);
        Assert.NotEqual(tokens[1], tokens[2]);
    }

    [Fact]
    public async Task TwoAccounts_EachSignWithTheirOwnSession()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["210987654321"] = Records(1);
        stub.Events["123456789012"] = Records(2);
        var options = AwsTestSetup.Options(stub);
        using var credentials = AwsTestSetup.Credentials(options);
        using var client = AwsTestSetup.CloudTrail(options, credentials);

        var a = await client.LookupAsync("210987654321", "eu-west-1", "ResourceName", GroupId, Start, End, CancellationToken.None);
        var b = await client.LookupAsync("123456789012", "eu-west-1", "ResourceName", GroupId, Start, End, CancellationToken.None);

        Assert.Single(a.Events);
        Assert.Equal(2, b.Events.Count);
        Assert.Equal(["210987654321", "123456789012"], stub.CloudTrailRequests.Select(stub.AccountOf).ToArray());
    }

    [Fact]
    public async Task Budget_EndsTheSearchAsTimedOut()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = Records(1);
        var options = AwsTestSetup.Options(stub);
        using var credentials = AwsTestSetup.Credentials(options);
        using var client = AwsTestSetup.CloudTrail(options, credentials);
        using var budget = new CancellationTokenSource();
        await budget.CancelAsync();

        var result = await client.LookupAsync(Account, "eu-west-1", "ResourceName", GroupId, Start, End, budget.Token);

        Assert.Equal(CloudTrailLookupStatus.TimedOut, result.Status);
    }

    [Theory]
    [InlineData("us-east-1.evil.example")]
    [InlineData("eu-west-1\n")]
    [InlineData("EU-WEST-1")]
    public async Task RegionThatIsNotARegion_NeverLeavesTheProcess(string region)
    {
        await using var stub = await AwsApiStub.StartAsync();
        var options = AwsTestSetup.Options(stub);
        options.CloudTrailServiceUrl = null; // the real endpoint would be built from the region
        using var credentials = AwsTestSetup.Credentials(options);
        using var client = AwsTestSetup.CloudTrail(options, credentials);

        var result = await client.LookupAsync(Account, region, "ResourceName", GroupId, Start, End, CancellationToken.None);

        Assert.Equal(CloudTrailLookupStatus.Failed, result.Status);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task LoneSurrogateInsideTheCloudTrailEvent_IsReturnedAsText_AndParsesToAnActor()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var record = JsonNode.Parse(Records(1)[0])!;
        record["userAgent"] = "XLONEX";
        stub.Events["*"] = [record.ToJsonString().Replace("XLONEX", "\\ud800", StringComparison.Ordinal)];

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Completed, result.Status);
        var found = Assert.Single(result.Events);
        Assert.Contains("\"userAgent\":\"\\ud800\"", found.CloudTrailEvent, StringComparison.Ordinal);
        var actor = Core.Sources.CloudTrail.CloudTrailActorParser.Parse(found.CloudTrailEvent);
        Assert.NotNull(actor);
        Assert.Null(actor.UserAgent);
    }

    [Fact]
    public async Task LoneSurrogateCloudTrailEventString_ReadsAsAbsent_NotAsAFailure()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((200, """{"Events":[{"\ud800":1,"EventId":"e1","EventName":"\ud800","CloudTrailEvent":"{\"userAgent\":\"x\"}\ud800"}]}""", null));

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Completed, result.Status);
        var found = Assert.Single(result.Events);
        Assert.Equal("e1", found.EventId);
        Assert.Null(found.EventName);
        Assert.Null(found.CloudTrailEvent);
    }

    [Fact]
    public async Task LoneSurrogateNextToken_IsAnUnreadablePage()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((200, """{"Events":[],"NextToken":"page-\udc00"}""", null));

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Failed, result.Status);
        Assert.Contains("unreadable body", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoneSurrogateErrorType_FallsBackToTheHeader()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((400, """{"__type":"\ud800","message":"x"}""", "ValidationException:http://internal.amazon.com/"));

        var result = await LookupAsync(stub);

        Assert.Equal(CloudTrailLookupStatus.Failed, result.Status);
        Assert.Contains("ValidationException (HTTP 400)", result.Problem, StringComparison.Ordinal);
    }
}
