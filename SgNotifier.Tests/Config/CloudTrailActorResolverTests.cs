using System.Text.Json.Nodes;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Tests.Aws;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Config;

/// <summary>The whole preview pipeline (the app's composition) on Config items, with CloudTrail and STS on a loopback stub.</summary>
public sealed class CloudTrailActorResolverTests
{
    private static readonly DateTimeOffset Capture = new(2026, 11, 24, 9, 15, 2, 118, TimeSpan.Zero);

    private static string Item(string name) => File.ReadAllText(RepositoryPaths.TestData("Actors", name));

    /// <summary>A record of <paramref name="identity"/> in identities.json, re-aimed at <paramref name="eventName"/> with its own id and time.</summary>
    internal static string Record(string identity, string eventId, DateTimeOffset time, string eventName = "AuthorizeSecurityGroupIngress", string? errorCode = null, string cidr = "0.0.0.0/0")
    {
        var all = JsonNode.Parse(File.ReadAllText(RepositoryPaths.TestData("CloudTrail", "identities.json")))!.AsArray();
        var record = all.Single(c => (string)c!["name"]! == identity)!["record"]!.DeepClone();
        record["eventID"] = eventId;
        record["eventName"] = eventName;
        record["eventTime"] = time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        record["requestParameters"]!["ipPermissions"]!["items"]![0]!["ipRanges"]!["items"]![0]!["cidrIp"] = cidr;
        if (errorCode is not null)
        {
            record["errorCode"] = errorCode;
            record["responseElements"] = null;
        }

        return record.ToJsonString();
    }

    private static async Task<DeliveryResult> PreviewAsync(AwsApiStub stub, string item, DateTimeOffset now, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = SnsTestHost.DefaultTopics,
            ["Aws:LookupActors"] = "true",
            ["Aws:CloudTrailServiceUrl"] = stub.Url,
            ["Aws:StsServiceUrl"] = stub.Url,
            ["Aws:Ec2ServiceUrl"] = stub.Url,
            ["Aws:RoleArnTemplate"] = AwsTestSetup.RoleTemplate,
            ["Aws:ExternalId"] = AwsTestSetup.ExternalId,
            ["Aws:MaxErrorRetry"] = "0",
        };
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(now));
        services.AddSgNotifierForTests(settings);
        services.AddSingleton(static sp => new AwsCredentialCache(
            sp.GetRequiredService<IOptions<AwsOptions>>().Value, sp.GetRequiredService<TimeProvider>(), NullLogger<AwsCredentialCache>.Instance, null,
            new BasicAWSCredentials(AwsApiStub.BaseAccessKey, AwsApiStub.BaseSecretKey)));
        await using var provider = services.BuildServiceProvider();
        await using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(item));
        return await provider.GetRequiredService<SnsDeliveryHandler>().PreviewAsync(input, CancellationToken.None);
    }

    [Fact]
    public async Task CurrentItem_NamesTheActorOfTheMatchingCall_AndTheMailSaysSo()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["210987654321"] =
        [
            Record("sso", "11111111-1111-4111-8111-111111111111", Capture.AddSeconds(-25)),
            Record("iam-user", "22222222-2222-4222-8222-222222222222", Capture.AddSeconds(-20), errorCode: "Client.UnauthorizedOperation"),
            Record("assumed-role", "33333333-3333-4333-8333-333333333333", Capture.AddMinutes(-10), cidr: "10.9.0.0/16"),
            Record("root", "44444444-4444-4444-8444-444444444444", Capture.AddMinutes(-40)),
        ];

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1));

        Assert.Equal(200, result.HttpStatus);
        var actors = result.Decision!.Actors;
        Assert.Equal(ActorStatus.Found, actors.Status);
        var actor = Assert.Single(actors.Actors);
        Assert.Equal("jane.doe@example.com (SSO PowerUserAccess)", actor.Display);
        Assert.EndsWith(" by jane.doe@example.com (SSO PowerUserAccess)", result.Email!.Subject, StringComparison.Ordinal);
        Assert.Contains("CHANGED BY\n  jane.doe@example.com (SSO PowerUserAccess)", result.Email.Text, StringComparison.Ordinal);
        Assert.Contains("https://eu-west-1.console.aws.amazon.com/cloudtrail/home?region=eu-west-1#/events/11111111-1111-4111-8111-111111111111", result.Email.Html, StringComparison.Ordinal);
        var json = JsonNode.Parse(DeliveryReport.ToJson(result))!;
        Assert.Equal("found", (string?)json["actorStatus"]);
        Assert.Equal("jane.doe@example.com", (string?)json["actors"]![0]!["sessionName"]);
        Assert.True((bool)json["actors"]![0]!["console"]!);
        Assert.Equal("2026-11-24T09:14:37Z", (string?)json["actors"]![0]!["eventTime"]);

        var request = JsonNode.Parse(Assert.Single(stub.CloudTrailRequests).BodyText)!;
        Assert.Equal((Capture - TimeSpan.FromMinutes(15)).ToUnixTimeSeconds(), (long)request["StartTime"]!);
        Assert.Equal((Capture + TimeSpan.FromMinutes(2)).ToUnixTimeSeconds(), (long)request["EndTime"]!);
    }

    [Fact]
    public async Task LegacyItem_LooksUpItsRelatedEventById()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = [Record("iam-user", "8d3c1f6e-2b4a-4c5d-9e8f-0a1b2c3d4e5f", Capture.AddSeconds(-30))];

        var result = await PreviewAsync(stub, Item("rdp-opened-legacy.json"), Capture.AddMinutes(1));

        Assert.Equal("alice.ops (IAM user)", Assert.Single(result.Decision!.Actors.Actors).Display);
        var body = JsonNode.Parse(Assert.Single(stub.CloudTrailRequests).BodyText)!;
        Assert.Equal("EventId", (string?)body["LookupAttributes"]![0]!["AttributeKey"]);
        Assert.Null(body["StartTime"]);
    }

    [Fact]
    public async Task NothingInCloudTrail_WithoutActorWait_MailsNowAsNotFound()
    {
        await using var stub = await AwsApiStub.StartAsync();

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1));

        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(ActorStatus.NotFound, result.Decision!.Actors.Status);
        Assert.NotNull(result.Email);
        Assert.DoesNotContain(" by ", result.Email.Subject, StringComparison.Ordinal);
        Assert.Contains("Not known: the actor is not (yet) in CloudTrail", result.Email.Text, StringComparison.Ordinal);
        Assert.Equal(["dept-a@example.com"], result.Decision.Recipients);
    }

    [Fact]
    public async Task NothingInCloudTrailYet_WithinActorWait_Answers503ActorPending_ThenFound()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = [Record("github-actions", "55555555-5555-4555-8555-555555555555", Capture.AddSeconds(-3))];
        stub.EmptyLookups = 1;
        var wait = new Dictionary<string, string?> { ["Aws:ActorWait"] = "00:10:00" };

        var first = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1), wait);
        var second = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(4), wait);

        Assert.Equal(503, first.HttpStatus);
        Assert.Equal(NotifyReasons.ActorPending, first.Reason);
        Assert.Equal(ActorStatus.Pending, first.Decision!.Actors.Status);
        Assert.Null(first.Email);
        Assert.Equal(200, second.HttpStatus);
        Assert.Equal("GitHubActions (role github-deploy)", Assert.Single(second.Decision!.Actors.Actors).Display);
    }

    [Fact]
    public async Task NothingInCloudTrail_AfterActorWait_MailsAsNotFound()
    {
        await using var stub = await AwsApiStub.StartAsync();

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(11), new() { ["Aws:ActorWait"] = "00:10:00" });

        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(ActorStatus.NotFound, result.Decision!.Actors.Status);
        Assert.NotNull(result.Email);
    }

    [Fact]
    public async Task Throttled_StillMails_SayingWhy()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((429, "", null));
        stub.CloudTrailFailures.Enqueue((400, """{"__type":"ThrottlingException","message":"Rate exceeded"}""", null));

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1), new() { ["Aws:ActorWait"] = "00:10:00" });

        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(ActorStatus.Unavailable, result.Decision!.Actors.Status);
        Assert.Contains("ThrottlingException", result.Decision.Actors.Detail, StringComparison.Ordinal);
        Assert.Contains("Not known: CloudTrail throttled the lookup", result.Email!.Text, StringComparison.Ordinal);
        Assert.Equal(["dept-a@example.com"], result.Decision.Recipients);
    }

    [Fact]
    public async Task RoleNotAssumable_StillMails_NamingTheAccount()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.DeniedRoles["arn:aws:iam::210987654321:role/SgNotifierReader"] = true;

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1));

        Assert.Equal(ActorStatus.Unavailable, result.Decision!.Actors.Status);
        Assert.Contains("account 210987654321", result.Email!.Text, StringComparison.Ordinal);
        Assert.Contains("AccessDenied", result.Email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookupActorsOff_AsksNobody()
    {
        await using var stub = await AwsApiStub.StartAsync();

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1), new() { ["Aws:LookupActors"] = "false" });

        Assert.Equal(ActorStatus.Off, result.Decision!.Actors.Status);
        Assert.DoesNotContain("CHANGED BY", result.Email!.Text, StringComparison.Ordinal);
        Assert.Equal("off", (string?)JsonNode.Parse(DeliveryReport.ToJson(result))!["actorStatus"]);
        Assert.Empty(JsonNode.Parse(DeliveryReport.ToJson(result))!["actors"]!.AsArray());
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task RegionThatIsNotARegion_IsRefusedBeforeAnyRequest()
    {
        await using var stub = await AwsApiStub.StartAsync();
        var item = Item("rdp-opened-v13.json").Replace("\"awsRegion\": \"eu-west-1\"", "\"awsRegion\": \"us-east-1.evil.example\"", StringComparison.Ordinal);

        var result = await PreviewAsync(stub, item, Capture.AddMinutes(1));

        Assert.Equal(ActorStatus.Unavailable, result.Decision!.Actors.Status);
        Assert.NotNull(result.Email);
        Assert.Empty(stub.Requests);
    }

    /// <summary><paramref name="record"/> with its <c>userAgent</c> and one extra request parameter an escaped lone surrogate (<c>"\ud800"</c>).</summary>
    private static string WithLoneSurrogates(string record)
    {
        var node = JsonNode.Parse(record)!;
        node["userAgent"] = "XLONEX";
        node["requestParameters"]!["ipPermissions"]!["items"]![0]!["ipRanges"]!["items"]!.AsArray().Add(new JsonObject { ["cidrIp"] = "XLONEX", ["description"] = "XLONEX" });
        return node.ToJsonString().Replace("XLONEX", "\\ud800", StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoneSurrogatesInTheMatchingRecord_StillNameTheActor_AndTheMailGoesOut()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["210987654321"] = [WithLoneSurrogates(Record("sso", "11111111-1111-4111-8111-111111111111", Capture.AddSeconds(-25)))];

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1));

        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(ActorStatus.Found, result.Decision!.Actors.Status);
        var actor = Assert.Single(result.Decision.Actors.Actors);
        Assert.Equal("jane.doe@example.com (SSO PowerUserAccess)", actor.Display);
        Assert.Null(actor.UserAgent);
        Assert.NotNull(result.Email);
        Assert.Equal(["dept-a@example.com"], result.Decision.Recipients);
    }

    [Fact]
    public async Task LegacyItem_LoneSurrogateInTheRelatedEvent_StillNamesTheActor()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = [WithLoneSurrogates(Record("iam-user", "8d3c1f6e-2b4a-4c5d-9e8f-0a1b2c3d4e5f", Capture.AddSeconds(-30)))];

        var result = await PreviewAsync(stub, Item("rdp-opened-legacy.json"), Capture.AddMinutes(1));

        Assert.Equal(200, result.HttpStatus);
        Assert.Equal("alice.ops (IAM user)", Assert.Single(result.Decision!.Actors.Actors).Display);
        Assert.NotNull(result.Email);
    }

    [Fact]
    public async Task LookupPageWithALoneSurrogateCloudTrailEvent_MailsWithTheActorNotFound()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((200, """{"Events":[{"EventId":"e1","EventName":"AuthorizeSecurityGroupIngress","CloudTrailEvent":"{\"userAgent\":\"\ud800\"}"}]}""", null));

        var result = await PreviewAsync(stub, Item("rdp-opened-v13.json"), Capture.AddMinutes(1));

        Assert.Equal(200, result.HttpStatus);
        Assert.Equal(ActorStatus.NotFound, result.Decision!.Actors.Status);
        Assert.NotNull(result.Email);
        Assert.Equal(["dept-a@example.com"], result.Decision.Recipients);
    }
}
