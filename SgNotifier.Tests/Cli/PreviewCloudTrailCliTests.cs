using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;
using SgNotifier.Tests.Aws;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// Issue 17's first judging step: every EventBridge event of the CloudTrail corpus, previewed as a process
/// (<c>sgnotifier preview event.json --settings s.json --json</c>) against the loopback EC2/STS of <see cref="AwsApiStub"/>,
/// with both sources on. What each call must show comes from the corpus's own parse summary (<c>.expected.json</c>)
/// and from AWS's documented semantics, not from the code under test.
/// </summary>
public sealed class PreviewCloudTrailCliTests
{
    private const string Owner = "owner@example.com";
    private const string SecondOwner = "second-owner@example.com";

    /// <summary>The id EC2 gives a group that a call named by name only (the id is in no part of such an event).</summary>
    private const string NameOnlyGroupId = "sg-0d1e2f3a4b5c6d7e8";

    /// <summary>A rule no call of the corpus touches: what EC2 holds besides the call's rules, never part of the change.</summary>
    private static readonly StubRule Unrelated = new("sgr-0aaaaaaaaaaaaaaaa", false, "tcp", 8443, 8443, CidrIpv4: "10.99.0.0/16", Description: "unrelated");

    /// <summary>The actors of the corpus as REFERENCE-cloudtrail §g renders them, by <c>userIdentity.arn</c> (written by hand).</summary>
    private static readonly Dictionary<string, string> Actors = new(StringComparer.Ordinal)
    {
        ["arn:aws:iam::210987654321:user/alice.ops"] = "alice.ops (IAM user)",
        ["arn:aws:sts::210987654321:assumed-role/github-deploy/GitHubActions"] = "GitHubActions (role github-deploy)",
        ["arn:aws:sts::210987654321:assumed-role/AWSReservedSSO_PowerUserAccess_0123456789abcdef/jane.doe@example.com"] = "jane.doe@example.com (SSO PowerUserAccess)",
        ["arn:aws:sts::210987654321:assumed-role/ops-admin/sam.lee@example.com"] = "sam.lee@example.com (role ops-admin) via cloudformation.amazonaws.com",
        ["arn:aws:sts::210987654321:assumed-role/cfn-deployer/AWSCloudFormation"] = "AWSCloudFormation (role cfn-deployer) via cloudformation.amazonaws.com",
    };

    public static TheoryData<string> SecurityGroupCalls()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(RepositoryPaths.TestData("CloudTrail", "security-group-call"), "*.json")
                     .Where(static f => !f.EndsWith(".expected.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    public static TheoryData<string, string> IgnoredEvents()
    {
        var data = new TheoryData<string, string>();
        foreach (var folder in new[] { "call-failed", "not-security-group-call", "malformed-event", "not-json" })
        {
            foreach (var file in Directory.GetFiles(RepositoryPaths.TestData("CloudTrail", folder)).Order(StringComparer.Ordinal))
            {
                // SNS carries a non-empty UTF-8 Message only: the empty and the invalid-UTF-8 files are previewed bare below.
                if (Path.GetFileName(file) is not ("empty.txt" or "invalid-utf8.bin"))
                {
                    data.Add(folder, Path.GetFileName(file));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SecurityGroupCalls))]
    public async Task EveryCall_PreviewsItsChangeRecipientsAndActor(string file)
    {
        var path = RepositoryPaths.TestData("CloudTrail", "security-group-call", file);
        var call = Call.Read(path);
        await using var stub = await AwsApiStub.StartAsync();
        for (var i = 0; i < call.Groups.Count; i++)
        {
            stub.AddGroup(call.Groups[i].Account, call.Groups[i].Region, call.GroupAfter(i, stub.DefaultVpcId));
        }

        var json = await PreviewAsync(stub, path);

        Assert.Equal(200, (int)json["httpStatus"]!);
        AssertGroup(call, 0, json);
        for (var i = 1; i < call.Groups.Count; i++)
        {
            // A tag call on several groups: one change (and one mail) per group, the others under otherGroups.
            var other = Assert.Single(json["otherGroups"]!.AsArray(), o => (string?)o!["securityGroup"]!["id"] == call.Groups[i].Id)!;
            AssertGroup(call, i, other);
        }

        if (call.Groups.Count == 1)
        {
            Assert.Null(json["otherGroups"]);
        }
    }

    private static void AssertGroup(Call call, int index, JsonNode json)
    {
        var expected = call.Expectation(index);
        Assert.True(expected.Reason == (string?)json["reason"], $"{call.Name}: {json["reason"]}: {json["detail"]}");
        Assert.Equal(expected.Outcome, (string?)json["outcome"]);
        Assert.Equal("cloudtrail", (string?)json["source"]);
        Assert.Equal(call.Api, (string?)json["messageType"]);
        Assert.Equal([call.EventId], Strings(json["eventIds"]));
        Assert.Equal(call.EventTime, (string?)json["eventTime"]);
        Assert.Equal(call.Groups[index].Id ?? NameOnlyGroupId, (string?)json["securityGroup"]!["id"]);
        Assert.Equal(call.Groups[index].Account, (string?)json["securityGroup"]!["accountId"]);
        Assert.Equal(call.Groups[index].Region, (string?)json["securityGroup"]!["region"]);
        Assert.Equal(call.ChangeType, (string?)json["changeType"]);
        Assert.Equal(expected.Recipients, Strings(json["recipients"]));
        Assert.Equal(Sorted(call.Added), Sorted(Rules(json["added"])));
        Assert.Equal(Sorted(call.Removed), Sorted(Rules(json["removed"])));
        Assert.Equal(Sorted(call.Changed), Sorted(json["changed"]!.AsArray().Select(static c => ChangeText(c!)).ToList()));
        Assert.Equal(call.RemovedRuleIds, Strings(json["unknownRules"]));
        Assert.Equal(call.RulesKnown, (string?)json["rulesKnown"]);
        Assert.Equal(expected.TagChanges, json["tagChanges"]!.AsArray().Select(static t => $"{t!["key"]}: {t["before"]} -> {t["after"]}").ToList());
        Assert.Equal("found", (string?)json["actorStatus"]);
        var actor = Assert.Single(json["actors"]!.AsArray())!;
        Assert.True(Actors.TryGetValue(call.ActorArn, out var display), "add the corpus actor to the table: " + call.ActorArn);
        Assert.Equal(display, (string?)actor["display"]);
        Assert.Equal(call.EventId, (string?)actor["eventId"]);
        if (expected.Outcome == "notify")
        {
            Assert.EndsWith("by " + display, (string?)json["email"]!["subject"], StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(json["email"]);
        }
    }

    [Theory]
    [MemberData(nameof(IgnoredEvents))]
    public async Task EventsThatAreNoChange_AreIgnoredWithTheirFolderAsReason(string folder, string file)
    {
        // Delivered as SNS delivers them: the file's text is the Notification's Message (a file that is not JSON
        // could not be previewed bare: it would be judged as an HTTP body). Signatures off, Development only.
        var text = await File.ReadAllTextAsync(RepositoryPaths.TestData("CloudTrail", folder, file));
        await using var stub = await AwsApiStub.StartAsync();
        var notification = await NotificationFileAsync(text);

        JsonNode json;
        try
        {
            json = await PreviewAsync(stub, notification, sns: UnsignedTopic());
        }
        finally
        {
            File.Delete(notification);
        }

        Assert.Equal(200, (int)json["httpStatus"]!);
        Assert.Equal("ignored", (string?)json["outcome"]);
        Assert.Empty(json["recipients"]!.AsArray());
        Assert.Null(json["email"]);
        if (file == "config-item-change-via-eventbridge.json")
        {
            // An aws.config event is Config's to read (design §1), and this one's item is cut short.
            Assert.Equal("config", (string?)json["source"]);
            Assert.Equal("malformed-config", (string?)json["reason"]);
        }
        else if (file == "input-transformer-json-object.json")
        {
            // JSON with neither an EventBridge source nor a Config messageType: Config answers, as it always has.
            Assert.Equal("config", (string?)json["source"]);
            Assert.Equal("not-config", (string?)json["reason"]);
        }
        else
        {
            Assert.True(folder == (string?)json["reason"], $"{file}: {json["reason"]}: {json["detail"]}");
            Assert.Equal("cloudtrail", (string?)json["source"]);
            if (folder == "call-failed")
            {
                // A failed call still has its event id: the attempt can be looked up in CloudTrail.
                var eventId = (string?)JsonNode.Parse(text)!["detail"]!["eventID"];
                Assert.Equal([eventId], json["eventIds"]!.AsArray().Select(static e => (string?)e));
            }
        }

        // Nothing that is no change is worth an AWS call.
        Assert.Empty(stub.Requests);
    }

    [Theory]
    [InlineData("input-transformer-prose.txt", "invalid-json")]
    [InlineData("truncated-event.json", "invalid-json")]
    [InlineData("empty.txt", "invalid-json")]
    [InlineData("invalid-utf8.bin", "invalid-utf8")]
    public async Task TextThatIsNotJson_PreviewedBare_IsAMalformedBody(string file, string reason)
    {
        await using var stub = await AwsApiStub.StartAsync();

        var json = await PreviewAsync(stub, RepositoryPaths.TestData("CloudTrail", "not-json", file));

        // What an HTTP body that is not JSON (or not UTF-8) gets: 400, before any source reads it.
        Assert.Equal("malformed", (string?)json["outcome"]);
        Assert.Equal(reason, (string?)json["reason"]);
        Assert.Equal(400, (int)json["httpStatus"]!);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task DeletedGroupEc2NoLongerHas_WithAnEmptyDirectory_GoesToTheFallbackRecipientsOrNowhere(bool fallback)
    {
        await using var stub = await AwsApiStub.StartAsync();

        var json = await PreviewAsync(stub, CallFile("delete-security-group-by-cloudformation.json"),
            notify: fallback ? new JsonObject { ["FallbackRecipients"] = new JsonArray("secops@example.com") } : null);

        Assert.Equal(fallback ? "notify" : "ignored", (string?)json["outcome"]);
        Assert.Equal(fallback ? "owners-unknown" : "owners-unknown-no-fallback", (string?)json["reason"]);
        Assert.Equal(fallback ? ["secops@example.com"] : [], Strings(json["recipients"]));
        Assert.Equal("DELETE", (string?)json["changeType"]);
        Assert.Equal("unknown", (string?)json["rulesKnown"]);
        // The reason says why nobody knows the owners: nothing remembered, and EC2 no longer has the group.
        Assert.Contains("had not seen this group", (string?)json["detail"], StringComparison.Ordinal);
        Assert.Contains("InvalidGroup.NotFound", (string?)json["detail"], StringComparison.Ordinal);
        Assert.Equal("AWSCloudFormation (role cfn-deployer) via cloudformation.amazonaws.com", (string?)json["actors"]![0]!["display"]);
        Assert.Equal(200, (int)json["httpStatus"]!);
    }

    [Fact]
    public async Task DefaultVpcCallByName_ResolvesTheIdThroughEc2InTheEventsAccount()
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup("210987654321", "eu-west-1", new StubSecurityGroup("sg-0123abcd4567ef012", "launch-wizard-1", "vpc-0aaaabbbbccccdddd", Tags(Owner), [Unrelated]));
        stub.AddGroup("210987654321", "eu-west-1", new StubSecurityGroup(NameOnlyGroupId, "launch-wizard-1", stub.DefaultVpcId, Tags(Owner), [Unrelated]));

        var json = await PreviewAsync(stub, CallFile("revoke-ingress-default-vpc-unknown-permission.json"));

        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal(NameOnlyGroupId, (string?)json["securityGroup"]!["id"]);
        Assert.Equal("launch-wizard-1", (string?)json["securityGroup"]!["name"]);
        var byName = Assert.Single(stub.Ec2Calls("DescribeSecurityGroups"), static c => c.ContainsKey("GroupName.1"));
        Assert.Equal("launch-wizard-1", byName["GroupName.1"]);
        // Read with the event's account's own role, never the base credentials.
        Assert.All(stub.Requests.Where(static r => r.BodyText.Contains("Action=DescribeSecurityGroups", StringComparison.Ordinal)),
            r => Assert.Equal("210987654321", stub.AccountOf(r)));
        Assert.Equal("arn:aws:iam::210987654321:role/SgNotifierReader", Assert.Single(stub.StsCalls)["RoleArn"]);
    }

    [Fact]
    public async Task DefaultVpcCallByAName_Ec2DoesNotKnow_IsGroupUnknown()
    {
        await using var stub = await AwsApiStub.StartAsync();

        var json = await PreviewAsync(stub, CallFile("revoke-ingress-default-vpc-unknown-permission.json"));

        Assert.Equal("ignored", (string?)json["outcome"]);
        Assert.Equal("group-unknown", (string?)json["reason"]);
        Assert.Equal("cloudtrail", (string?)json["source"]);
        Assert.Contains("InvalidGroup.NotFound", (string?)json["detail"], StringComparison.Ordinal);
        Assert.Equal(200, (int)json["httpStatus"]!);
    }

    [Theory]
    [InlineData("authorize-ingress-console-rdp-open-to-world.json")]
    [InlineData("revoke-ingress-default-vpc-unknown-permission.json")]
    public async Task Ec2Throttling_Is503AwsUnavailable(string file)
    {
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup("210987654321", "eu-west-1", new StubSecurityGroup("sg-0a1b2c3d4e5f60718", "web", "vpc-0123456789abcdef0", Tags(Owner), [Unrelated]));
        stub.FailNext("DescribeSecurityGroups", 503, "RequestLimitExceeded", times: 5);

        var json = await PreviewAsync(stub, CallFile(file));

        Assert.Equal(503, (int)json["httpStatus"]!);
        Assert.Equal("aws-unavailable", (string?)json["reason"]);
        Assert.Contains("RequestLimitExceeded", (string?)json["detail"], StringComparison.Ordinal);
        Assert.Equal("cloudtrail", (string?)json["source"]);
        Assert.Null(json["email"]);
    }

    [Fact]
    public async Task AccountOutsideAllowedAccountIds_IsAccountNotAllowed_WithoutAskingAws()
    {
        await using var stub = await AwsApiStub.StartAsync();

        var json = await PreviewAsync(stub, CallFile("authorize-ingress-console-rdp-open-to-world.json"),
            notify: new JsonObject { ["AllowedAccountIds"] = new JsonArray("123456789012") });

        Assert.Equal("ignored", (string?)json["outcome"]);
        Assert.Equal("account-not-allowed", (string?)json["reason"]);
        Assert.Equal("cloudtrail", (string?)json["source"]);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task DefaultSources_ConfigOnly_IgnoreACloudTrailEventAsSourceDisabled()
    {
        await using var stub = await AwsApiStub.StartAsync();

        var json = await PreviewAsync(stub, CallFile("authorize-ingress-console-rdp-open-to-world.json"), bothSources: false);

        Assert.Equal("ignored", (string?)json["outcome"]);
        Assert.Equal("source-disabled", (string?)json["reason"]);
        Assert.Equal("cloudtrail", (string?)json["source"]);
        Assert.Equal(200, (int)json["httpStatus"]!);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task WithoutAnyAwsCredentials_ThePreviewSaysSoQuickly()
    {
        // No stub, no keys, no profile, no instance metadata: the SDK's default chain is empty.
        var settings = await SettingsFileAsync(new JsonObject { ["Notify"] = new JsonObject { ["Sources"] = new JsonArray("Config", "CloudTrail") } });
        try
        {
            var start = CliProcess.StartInfo(["preview", CallFile("authorize-ingress-console-rdp-open-to-world.json"), "--settings", settings, "--json"]);
            WithoutAwsCredentials(start);
            var clock = Stopwatch.StartNew();
            var (exit, stdout, stderr) = await RunAsync(start);

            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "took " + clock.Elapsed);
            var json = JsonNode.Parse(stdout)!;
            Assert.Equal("owners-unknown-no-fallback", (string?)json["reason"]);
            Assert.Contains("no AWS credentials", (string?)json["detail"], StringComparison.Ordinal);
            Assert.Equal("found", (string?)json["actorStatus"]);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Fact]
    public async Task TagTampering_OnAGroupTheDirectoryKnows_MailsThePreviousOwners_AndPreviewLeavesTheDirectoryAsItWas()
    {
        // The deployed case: the directory (Table storage) learnt the group from an earlier Config item; a DeleteTags
        // then removes NotifyOnChange and OwnerDL. EC2 now shows neither: only the directory knows the owners.
        var connection = await SharedEmulators.TableConnectionStringAsync();
        var table = "PreviewGroups" + Guid.NewGuid().ToString("N")[..12];
        using var directory = new TableGroupDirectory(
            Options.Create(new LedgerOptions { ConnectionString = connection, GroupTableName = table }), TimeProvider.System, NullLogger<TableGroupDirectory>.Instance);
        Assert.True(await directory.TryCreateTableAsync(CancellationToken.None));
        var identity = new SecurityGroupIdentity("sg-0a1b2c3d4e5f60718", "app-servers", "210987654321", "eu-west-1", "vpc-0123456789abcdef0", null);
        var before = new GroupState(
            identity,
            new Dictionary<string, string>(StringComparer.Ordinal) { ["NotifyOnChange"] = "Yes", ["OwnerDL"] = "app-team@example.com", ["CostCenter"] = "4711" },
            [new IdentifiedRule(new SecurityGroupRule(RuleDirection.Ingress, "tcp", 8443, 8443, "10.99.0.0/16", "unrelated"), Unrelated.RuleId)],
            new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero),
            "config");
        await directory.RememberAsync(before, CancellationToken.None);
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup("210987654321", "eu-west-1", new StubSecurityGroup(identity.Id, "app-servers", "vpc-0123456789abcdef0",
            new Dictionary<string, string> { ["CostCenter"] = "4711" }, [Unrelated]));

        var json = await PreviewAsync(stub, CallFile("delete-tags-key-only-and-key-value.json"),
            ledger: new JsonObject { ["Provider"] = "Table", ["ConnectionString"] = connection, ["GroupTableName"] = table, ["TableName"] = "PreviewLedger" + Guid.NewGuid().ToString("N")[..12] });

        Assert.True((string?)json["reason"] == "changed", $"{json["reason"]}: {json["detail"]}");
        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal(["app-team@example.com"], Strings(json["recipients"]));
        Assert.Equal(["NotifyOnChange: Yes -> ", "OwnerDL: app-team@example.com -> "],
            json["tagChanges"]!.AsArray().Select(static t => $"{t!["key"]}: {t["before"]} -> {t["after"]}").ToList());
        Assert.NotNull((string?)json["notificationsOff"]);
        Assert.Equal(before, await directory.GetAsync("210987654321", "eu-west-1", identity.Id, CancellationToken.None), GroupStateComparer.Instance);
    }

    [Fact]
    public async Task DeletedGroupEc2NoLongerHas_IsRoutedByTheDirectorysLastKnownTags()
    {
        var connection = await SharedEmulators.TableConnectionStringAsync();
        var table = "PreviewGroups" + Guid.NewGuid().ToString("N")[..12];
        using var directory = new TableGroupDirectory(
            Options.Create(new LedgerOptions { ConnectionString = connection, GroupTableName = table }), TimeProvider.System, NullLogger<TableGroupDirectory>.Instance);
        Assert.True(await directory.TryCreateTableAsync(CancellationToken.None));
        var rule = new IdentifiedRule(new SecurityGroupRule(RuleDirection.Ingress, "tcp", 5432, 5432, "10.0.0.0/8", null), "sgr-0ccccccccccccccc1");
        await directory.RememberAsync(new GroupState(
            new SecurityGroupIdentity("sg-0a1b2c3d4e5f60718", "db", "210987654321", "eu-west-1", "vpc-0123456789abcdef0", null),
            Tags("db-team@example.com"), [rule], new DateTimeOffset(2026, 11, 20, 8, 0, 0, TimeSpan.Zero), "config"), CancellationToken.None);
        await using var stub = await AwsApiStub.StartAsync();

        var json = await PreviewAsync(stub, CallFile("delete-security-group-by-cloudformation.json"),
            ledger: new JsonObject { ["Provider"] = "Table", ["ConnectionString"] = connection, ["GroupTableName"] = table, ["TableName"] = "PreviewLedger" + Guid.NewGuid().ToString("N")[..12] });

        Assert.True((string?)json["reason"] == "changed", $"{json["reason"]}: {json["detail"]}");
        Assert.Equal(["db-team@example.com"], Strings(json["recipients"]));
        Assert.Equal("DELETE", (string?)json["changeType"]);
        Assert.Equal("known", (string?)json["rulesKnown"]);
        Assert.Equal(["ingress tcp 5432-5432 10.0.0.0/8 [] sgr-0ccccccccccccccc1"], Rules(json["removed"]));
        Assert.Equal("db", (string?)json["securityGroup"]!["name"]);
    }

    [Fact]
    public async Task TagTampering_OnAGroupNoOneHasSeen_StillReachesTheOwnersTheCallNamed()
    {
        // With an empty directory the previous NotifyOnChange value is unknown and EC2 shows the group as it is now, not
        // opted in. The removal may have switched the group off, so it is not read as "never opted in": the owner the
        // call itself named (DeleteTags OwnerDL=app-team@example.com) hears of it, and the mail says notifications are OFF.
        await using var stub = await AwsApiStub.StartAsync();
        stub.AddGroup("210987654321", "eu-west-1", new StubSecurityGroup("sg-0a1b2c3d4e5f60718", "app-servers", "vpc-0123456789abcdef0",
            new Dictionary<string, string> { ["CostCenter"] = "4711" }, [Unrelated]));

        var json = await PreviewAsync(stub, CallFile("delete-tags-key-only-and-key-value.json"));

        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal("changed", (string?)json["reason"]);
        Assert.Equal(["app-team@example.com"], json["recipients"]!.AsArray().Select(static r => (string)r!));
        Assert.Contains("NotifyOnChange no longer says yes or true, and its previous value is unknown", (string?)json["notificationsOff"], StringComparison.Ordinal);
        Assert.Contains("previous value of tag NotifyOnChange is unknown", (string?)json["note"], StringComparison.Ordinal);
    }

    // ---- the preview process ----

    private static string CallFile(string name) => RepositoryPaths.TestData("CloudTrail", "security-group-call", name);

    private static async Task<JsonNode> PreviewAsync(
        AwsApiStub stub, string input, JsonObject? notify = null, JsonObject? ledger = null, bool bothSources = true, JsonObject? sns = null)
    {
        notify ??= [];
        if (bothSources)
        {
            notify["Sources"] = new JsonArray("Config", "CloudTrail");
        }

        var root = new JsonObject
        {
            ["Notify"] = notify,
            ["Aws"] = new JsonObject
            {
                ["Ec2ServiceUrl"] = stub.Url,
                ["StsServiceUrl"] = stub.Url,
                ["CloudTrailServiceUrl"] = stub.Url,
                ["RoleArnTemplate"] = AwsTestSetup.RoleTemplate,
                ["ExternalId"] = AwsTestSetup.ExternalId,
                ["MaxErrorRetry"] = 0,
            },
        };
        if (ledger is not null)
        {
            root["Ledger"] = ledger;
        }

        if (sns is not null)
        {
            root["Sns"] = sns;
        }

        var settings = await SettingsFileAsync(root);
        try
        {
            var start = CliProcess.StartInfo(["preview", input, "--settings", settings, "--json"]);
            WithoutAwsCredentials(start);
            start.Environment["AWS_ACCESS_KEY_ID"] = AwsApiStub.BaseAccessKey;
            start.Environment["AWS_SECRET_ACCESS_KEY"] = AwsApiStub.BaseSecretKey;
            var (exit, stdout, stderr) = await RunAsync(start);
            Assert.True(exit == 0, $"exit {exit}: {stderr}");
            return JsonNode.Parse(stdout)!;
        }
        finally
        {
            File.Delete(settings);
        }
    }

    private static void WithoutAwsCredentials(ProcessStartInfo start)
    {
        foreach (var name in new[] { "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment["AWS_SHARED_CREDENTIALS_FILE"] = Path.Combine(Path.GetTempPath(), "sgnotifier-no-aws-credentials");
        start.Environment["AWS_CONFIG_FILE"] = Path.Combine(Path.GetTempPath(), "sgnotifier-no-aws-config");
    }

    private static async Task<(int Exit, string StdOut, string StdErr)> RunAsync(ProcessStartInfo start)
    {
        using var process = new Process { StartInfo = start };
        try
        {
            Assert.True(process.Start());
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CliProcess.Timeout);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            CliProcess.Kill(process);
        }
    }

    private const string Topic = "arn:aws:sns:eu-west-1:210987654321:sg-changes";

    private static JsonObject UnsignedTopic() => new() { ["AllowedTopicArns"] = new JsonArray(Topic), ["VerifySignatures"] = false };

    /// <summary>An unsigned SNS Notification for <see cref="Topic"/> whose Message is <paramref name="message"/>, as a temp file.</summary>
    private static async Task<string> NotificationFileAsync(string message)
    {
        var path = Path.Combine(Path.GetTempPath(), "sgnotifier-ct-notification-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, new JsonObject
        {
            ["Type"] = "Notification",
            ["MessageId"] = Guid.NewGuid().ToString(),
            ["TopicArn"] = Topic,
            ["Message"] = message,
            ["Timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        }.ToJsonString());
        return path;
    }

    private static async Task<string> SettingsFileAsync(JsonObject settings)
    {
        var path = Path.Combine(Path.GetTempPath(), "sgnotifier-ct-preview-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, settings.ToJsonString());
        return path;
    }

    // ---- expectations, from the corpus's parse summaries ----

    private static Dictionary<string, string> Tags(string owner) => new(StringComparer.Ordinal) { ["NotifyOnChange"] = "Yes", ["OwnerDL"] = owner };

    private static List<string> Strings(JsonNode? array) => array!.AsArray().Select(static s => (string)s!).ToList();

    private static List<string> Sorted(IEnumerable<string> items) => items.Order(StringComparer.Ordinal).ToList();

    private static List<string> Rules(JsonNode? array) => array!.AsArray().Select(static r => RuleText(r!)).ToList();

    private static string RuleText(JsonNode rule) =>
        string.Create(CultureInfo.InvariantCulture, $"{((string)rule["direction"]!).ToLowerInvariant()} {rule["protocol"]} {rule["fromPort"]?.ToString() ?? "-"}-{rule["toPort"]?.ToString() ?? "-"} {rule["peer"]} [{rule["description"]}] {rule["ruleId"]}");

    private static string ChangeText(JsonNode change) => (change["before"] is { } b ? RuleText(b) : "unknown") + " => " + RuleText(change["after"]!);

    private sealed record GroupRef(string Account, string Region, string? Id, string? Name, string? VpcId);

    private sealed record Expected(string Outcome, string Reason, List<string> Recipients, List<string> TagChanges);

    /// <summary>One corpus event and its parse summary, with what EC2 holds after the call and what the preview must show.</summary>
    private sealed class Call
    {
        private readonly JsonObject _summary;

        private Call(string name, JsonObject @event, JsonObject summary)
        {
            Name = name;
            _summary = summary;
            Api = (string)summary["api"]!;
            EventId = (string)@event["detail"]!["eventID"]!;
            EventTime = (string)@event["detail"]!["eventTime"]!;
            ActorArn = (string)@event["detail"]!["userIdentity"]!["arn"]!;
            Groups = summary["groups"]!.AsArray().Select(static g => new GroupRef(
                (string)g!["AccountId"]!, (string)g["Region"]!, (string?)g["GroupId"], (string?)g["GroupName"], (string?)g["VpcId"])).ToList();
        }

        public string Name { get; }

        public string Api { get; }

        public string EventId { get; }

        public string EventTime { get; }

        public string ActorArn { get; }

        public IReadOnlyList<GroupRef> Groups { get; }

        private Dictionary<string, string> TagsAdded => _summary["tagsAdded"]!.AsObject().ToDictionary(static t => t.Key, static t => (string)t.Value!, StringComparer.Ordinal);

        public string ChangeType => Api switch
        {
            "CreateSecurityGroup" => "CREATE",
            "DeleteSecurityGroup" => "DELETE",
            _ => "UPDATE",
        };

        /// <summary>The rules the call added, as the summary gives them; a new group also has EC2's default outbound rule (AWS VPC User Guide).</summary>
        public List<string> Added => Api == "CreateSecurityGroup"
            ? ["egress all --- 0.0.0.0/0 [] "]
            : _summary["added"]!.AsArray().Select(static r => RuleText(r!)).ToList();

        public List<string> Removed => _summary["removed"]!.AsArray().Select(static r => RuleText(r!)).ToList();

        public List<string> RemovedRuleIds => Strings(_summary["removedRuleIds"]);

        /// <summary>With nothing remembered, every changed rule's previous value is unknown; the new value is the call's.</summary>
        public List<string> Changed =>
        [
            .. _summary["modified"]!.AsArray().Select(static m => "unknown => " + RuleText(ModifiedAsRead(m!))),
            .. _summary["descriptionsUpdated"]!.AsArray().Select(static r => "unknown => " + RuleText(r!)),
            .. _summary["descriptionsUpdatedById"]!.AsArray().Select(static d => "unknown => " + RuleText(DescribedById(d!, (string?)d!["Description"]))),
        ];

        public string RulesKnown => Api switch
        {
            "DeleteSecurityGroup" => "unknown",
            _ when RemovedRuleIds.Count > 0 || Changed.Count > 0 => "before-unknown",
            _ => "known",
        };

        public static Call Read(string path)
        {
            var summary = Path.ChangeExtension(path, null) + ".expected.json";
            return new Call(Path.GetFileName(path), JsonNode.Parse(File.ReadAllText(path))!.AsObject(), JsonNode.Parse(File.ReadAllText(summary))!.AsObject());
        }

        /// <summary>A modified rule as EC2 holds it after the call: the call names no direction, so EC2 tells it (here: inbound).</summary>
        private static JsonObject ModifiedAsRead(JsonNode modified) => new()
        {
            ["direction"] = "ingress",
            ["protocol"] = (string?)modified["Protocol"],
            ["fromPort"] = (int?)modified["FromPort"],
            ["toPort"] = (int?)modified["ToPort"],
            ["peer"] = (string?)modified["Peer"],
            ["description"] = (string?)modified["Description"],
            ["ruleId"] = (string?)modified["RuleId"],
        };

        /// <summary>A rule whose description the call set by id: EC2 holds the rest (an outbound proxy rule here).</summary>
        private static JsonObject DescribedById(JsonNode update, string? description) => new()
        {
            ["direction"] = "egress",
            ["protocol"] = "tcp",
            ["fromPort"] = 3128,
            ["toPort"] = 3128,
            ["peer"] = "10.0.0.0/8",
            ["description"] = description,
            ["ruleId"] = (string?)update["RuleId"],
        };

        /// <summary>The group as EC2 describes it after the call: the call's rules (and tags) in it, the removed ones gone.</summary>
        public StubSecurityGroup GroupAfter(int index, string defaultVpc)
        {
            var group = Groups[index];
            var rules = new List<StubRule> { Unrelated };
            var n = 0;
            foreach (var rule in _summary["added"]!.AsArray().Concat(_summary["descriptionsUpdated"]!.AsArray()))
            {
                rules.Add(StubRuleOf(rule!, (string?)rule!["ruleId"] ?? string.Create(CultureInfo.InvariantCulture, $"sgr-0bbbbbbbbbbbbbb{n++:x2}")));
            }

            foreach (var modified in _summary["modified"]!.AsArray())
            {
                rules.Add(StubRuleOf(ModifiedAsRead(modified!), (string)modified!["RuleId"]!));
            }

            foreach (var update in _summary["descriptionsUpdatedById"]!.AsArray())
            {
                rules.Add(StubRuleOf(DescribedById(update!, (string?)update!["Description"]), (string)update!["RuleId"]!));
            }

            return new StubSecurityGroup(
                group.Id ?? NameOnlyGroupId,
                group.Name ?? "group-" + index.ToString(CultureInfo.InvariantCulture),
                group.VpcId ?? (group.Name is not null ? defaultVpc : "vpc-0123456789abcdef0"),
                TagsAfter(index),
                rules);
        }

        /// <summary>
        /// The group's tags after the call: the owner's opt-in tags, with what the call set; a new group has exactly
        /// the tags it was created with; after a DeleteTags of the routing tags, neither is left.
        /// </summary>
        private Dictionary<string, string> TagsAfter(int index)
        {
            var owner = index == 0 ? Owner : SecondOwner;
            return Api switch
            {
                "CreateSecurityGroup" => TagsAdded,
                "DeleteTags" => new(StringComparer.Ordinal) { ["CostCenter"] = "4711" },
                _ => new Dictionary<string, string>(Tags(owner).Concat(TagsAdded).GroupBy(static t => t.Key).Select(static g => g.Last()).ToDictionary(), StringComparer.Ordinal),
            };
        }

        /// <summary>
        /// Who hears of the change, with nothing remembered of the group: the owners the tags name after the call (for a
        /// tag call, the tags it set are new, their previous values unknown). A new group without the opt-in tag, and a
        /// DeleteTags of the routing tags on a group no one has seen, reach nobody (the directory-seeded test shows the
        /// deployed case).
        /// </summary>
        public Expected Expectation(int index)
        {
            var after = TagsAfter(index);
            // A DeleteTags of a key with its value shows that value removed; of a key alone, nothing (its value is unknown).
            var tagChanges = Api switch
            {
                "CreateTags" or "CreateSecurityGroup" => TagsAdded.OrderBy(static t => t.Key, StringComparer.Ordinal).Select(static t => $"{t.Key}:  -> {t.Value}").ToList(),
                "DeleteTags" => _summary["tagsRemoved"]!.AsObject().Where(static t => t.Value is not null)
                    .OrderBy(static t => t.Key, StringComparer.Ordinal).Select(static t => $"{t.Key}: {t.Value} -> ").ToList(),
                _ => [],
            };
            var optedIn = after.TryGetValue("NotifyOnChange", out var yes) && string.Equals(yes, "yes", StringComparison.OrdinalIgnoreCase);
            if (optedIn)
            {
                return new Expected("notify", "changed", [after["OwnerDL"]], tagChanges);
            }

            // A DeleteTags of NotifyOnChange alone may have switched the group off: the owners the call named hear of it.
            var namedOwner = Api == "DeleteTags" && _summary["tagsRemoved"]!.AsObject().ContainsKey("NotifyOnChange") &&
                             _summary["tagsRemoved"]!["NotifyOnChange"] is null && (string?)_summary["tagsRemoved"]!["OwnerDL"] is { } owner
                ? owner
                : null;
            return namedOwner is not null
                ? new Expected("notify", "changed", [namedOwner], tagChanges)
                : new Expected("ignored", "notifications-off", [], tagChanges);
        }

        private static StubRule StubRuleOf(JsonNode rule, string ruleId)
        {
            var peer = (string)rule["peer"]!;
            var protocol = (string)rule["protocol"]! switch
            {
                "all" => "-1",
                var p => p,
            };
            var from = (int?)rule["fromPort"];
            var to = (int?)rule["toPort"];
            var egress = string.Equals((string?)rule["direction"], "egress", StringComparison.OrdinalIgnoreCase);
            var description = (string?)rule["description"];
            return peer switch
            {
                _ when peer.StartsWith("pl-", StringComparison.Ordinal) => new StubRule(ruleId, egress, protocol, from, to, PrefixListId: peer, Description: description),
                _ when peer.Contains("sg-", StringComparison.Ordinal) => new StubRule(ruleId, egress, protocol, from, to,
                    ReferencedGroupId: peer[peer.IndexOf("sg-", StringComparison.Ordinal)..], ReferencedUserId: peer.Contains('/') ? peer[..peer.IndexOf('/')] : null, Description: description),
                _ when peer.Contains(':') => new StubRule(ruleId, egress, protocol, from, to, CidrIpv6: peer, Description: description),
                _ => new StubRule(ruleId, egress, protocol, from, to, CidrIpv4: peer, Description: description),
            };
        }
    }

    /// <summary>Group states compare by value, rules and tags included.</summary>
    private sealed class GroupStateComparer : IEqualityComparer<GroupState?>
    {
        public static readonly GroupStateComparer Instance = new();

        public bool Equals(GroupState? x, GroupState? y) =>
            x is not null && y is not null &&
            x.Group.Id == y.Group.Id && x.ObservedAt == y.ObservedAt && x.Origin == y.Origin && x.Deleted == y.Deleted &&
            x.Tags.OrderBy(static t => t.Key, StringComparer.Ordinal).SequenceEqual(y.Tags.OrderBy(static t => t.Key, StringComparer.Ordinal)) &&
            (x.Rules ?? []).SequenceEqual(y.Rules ?? []);

        public int GetHashCode(GroupState? obj) => obj?.Group.Id.GetHashCode(StringComparison.Ordinal) ?? 0;
    }
}
