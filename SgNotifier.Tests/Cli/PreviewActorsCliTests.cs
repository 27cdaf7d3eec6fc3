using System.Diagnostics;
using System.Text.Json.Nodes;
using SgNotifier.Tests.Aws;
using SgNotifier.Tests.Config;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary><c>sgnotifier preview --json</c> as a process, reading CloudTrail and STS from a loopback stub through the service URL settings.</summary>
public sealed class PreviewActorsCliTests
{
    private static readonly DateTimeOffset Capture = new(2026, 11, 24, 9, 15, 2, 118, TimeSpan.Zero);

    private static async Task<JsonNode> PreviewAsync(AwsApiStub stub, string item, DateTimeOffset now, string actorWait = "00:00:00")
    {
        var settings = Path.Combine(Path.GetTempPath(), "sgnotifier-actors-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(settings, new JsonObject
        {
            ["Aws"] = new JsonObject
            {
                ["LookupActors"] = true,
                ["ActorWait"] = actorWait,
                ["CloudTrailServiceUrl"] = stub.Url,
                ["StsServiceUrl"] = stub.Url,
                ["Ec2ServiceUrl"] = stub.Url,
                ["RoleArnTemplate"] = AwsTestSetup.RoleTemplate,
                ["ExternalId"] = AwsTestSetup.ExternalId,
                ["MaxErrorRetry"] = 0,
            },
        }.ToJsonString());
        try
        {
            var start = CliProcess.StartInfo(["preview", RepositoryPaths.TestData("Actors", item), "--settings", settings, "--json", "--now", now.ToString("O")]);
            start.Environment["AWS_ACCESS_KEY_ID"] = AwsApiStub.BaseAccessKey;
            start.Environment["AWS_SECRET_ACCESS_KEY"] = AwsApiStub.BaseSecretKey;
            start.Environment.Remove("AWS_SESSION_TOKEN");
            start.Environment.Remove("AWS_PROFILE");
            start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
            using var process = new Process { StartInfo = start };
            try
            {
                Assert.True(process.Start());
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                using var timeout = new CancellationTokenSource(CliProcess.Timeout);
                await process.WaitForExitAsync(timeout.Token);
                Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
                return JsonNode.Parse(await stdout)!;
            }
            finally
            {
                CliProcess.Kill(process);
            }
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Fact]
    public async Task CurrentItem_PreviewJsonNamesTheActor()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["210987654321"] = [CloudTrailActorResolverTests.Record("assumed-role-via-cloudformation", "66666666-6666-4666-8666-666666666666", Capture.AddSeconds(-40))];

        var json = await PreviewAsync(stub, "rdp-opened-v13.json", Capture.AddMinutes(1));

        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal("found", (string?)json["actorStatus"]);
        var actor = json["actors"]!.AsArray().Single()!;
        Assert.Equal("sam.lee@example.com (role ops-admin) via cloudformation.amazonaws.com", (string?)actor["display"]);
        Assert.Equal("AssumedRole", (string?)actor["type"]);
        Assert.Equal("cloudformation.amazonaws.com", (string?)actor["invokedBy"]);
        Assert.Equal("210987654321", (string?)actor["accountId"]);
        Assert.Equal("66666666-6666-4666-8666-666666666666", (string?)actor["eventId"]);
        Assert.Equal(["dept-a@example.com"], json["recipients"]!.AsArray().Select(static r => (string)r!).ToArray());
        Assert.EndsWith("by sam.lee@example.com (role ops-admin) via cloudformation.amazonaws.com", (string?)json["email"]!["subject"], StringComparison.Ordinal);
        Assert.Equal("210987654321", stub.AccountOf(stub.CloudTrailRequests.Single()));
    }

    [Fact]
    public async Task LegacyItem_PreviewJsonNamesTheActorOfItsRelatedEvent()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.Events["*"] = [CloudTrailActorResolverTests.Record("root", "8d3c1f6e-2b4a-4c5d-9e8f-0a1b2c3d4e5f", Capture.AddSeconds(-40))];

        var json = await PreviewAsync(stub, "rdp-opened-legacy.json", Capture.AddMinutes(1));

        Assert.Equal("found", (string?)json["actorStatus"]);
        Assert.Equal("root (account 210987654321)", (string?)json["actors"]![0]!["display"]);
        Assert.True((bool)json["actors"]![0]!["mfa"]!);
    }

    [Fact]
    public async Task ThrottledLookup_StillPreviewsTheMail()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.CloudTrailFailures.Enqueue((429, "", null));
        stub.CloudTrailFailures.Enqueue((429, "", null));

        var json = await PreviewAsync(stub, "rdp-opened-v13.json", Capture.AddMinutes(1), actorWait: "00:10:00");

        Assert.Equal("unavailable", (string?)json["actorStatus"]);
        Assert.Empty(json["actors"]!.AsArray());
        Assert.Equal(200, (int)json["httpStatus"]!);
        Assert.NotNull(json["email"]);
    }

    [Fact]
    public async Task EmptyLookupWithinActorWait_PreviewsA503Pending()
    {
        await using var stub = await AwsApiStub.StartAsync();

        var json = await PreviewAsync(stub, "rdp-opened-v13.json", Capture.AddMinutes(1), actorWait: "00:10:00");

        Assert.Equal("pending", (string?)json["actorStatus"]);
        Assert.Equal("actor-pending", (string?)json["reason"]);
        Assert.Equal(503, (int)json["httpStatus"]!);
    }
}
