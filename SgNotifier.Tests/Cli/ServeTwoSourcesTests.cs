using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SgNotifier.Tests.Aws;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// Issue 17's acceptance through <c>sgnotifier serve</c> as a process: one change reported by CloudTrail (through
/// EventBridge) and by AWS Config, both as signed SNS deliveries, with <c>Notify:Sources</c> = Config and CloudTrail,
/// the ledger, coverage and group directory in Azurite's Table service, EC2 and STS on a loopback stub, and the mails
/// counted in aws-ses-v2-local. Every test has its own group and owner, so none shares a row or a mail with another.
/// </summary>
public sealed class ServeTwoSourcesTests(ServeTwoSourcesTests.TwoSourceServe serve) : IClassFixture<ServeTwoSourcesTests.TwoSourceServe>
{
    [Fact]
    public async Task SameRuleFromCloudTrailThenConfig_MailsOnce()
    {
        var change = Change.Seed(serve);
        var (call, eventId) = CrossSourceChanges.AuthorizeIngressFromWorld(change.GroupId, change.RdpRuleId, 3389, change.CallTime);

        var first = await serve.DeliverAsync(call);
        var second = await serve.DeliverAsync(change.ConfigItem(3389));
        var redelivered = (await serve.DeliverAsync(call), await serve.DeliverAsync(change.ConfigItem(3389)));

        Assert.True(first == (HttpStatusCode.OK, "sent"), $"{first}\n{serve.Output}");
        Assert.True(second == (HttpStatusCode.OK, "already-notified"), $"{second}\n{serve.Output}");
        Assert.Equal(((HttpStatusCode.OK, "duplicate"), (HttpStatusCode.OK, "already-notified")), redelivered);
        var mail = Assert.Single(await serve.MailsToAsync(change.Owner));
        Assert.EndsWith("RISKY tcp/3389 from 0.0.0.0/0 by jane.doe@example.com (SSO PowerUserAccess)", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Reported: AWS CloudTrail", mail.Text, StringComparison.Ordinal);
        Assert.Contains(eventId, mail.Text, StringComparison.Ordinal);
        Assert.Contains($"ports 3389 from 0.0.0.0/0 ({change.RdpRuleId})", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SameRuleFromConfigThenCloudTrail_MailsOnce()
    {
        var change = Change.Seed(serve);
        var (call, _) = CrossSourceChanges.AuthorizeIngressFromWorld(change.GroupId, change.RdpRuleId, 3389, change.CallTime);

        var first = await serve.DeliverAsync(change.ConfigItem(3389));
        var second = await serve.DeliverAsync(call);
        var redelivered = (await serve.DeliverAsync(change.ConfigItem(3389)), await serve.DeliverAsync(call));

        Assert.True(first == (HttpStatusCode.OK, "sent"), $"{first}\n{serve.Output}");
        Assert.True(second == (HttpStatusCode.OK, "already-notified"), $"{second}\n{serve.Output}");
        Assert.Equal(((HttpStatusCode.OK, "duplicate"), (HttpStatusCode.OK, "already-notified")), redelivered);
        var mail = Assert.Single(await serve.MailsToAsync(change.Owner));
        Assert.Contains("Reported: AWS Config", mail.Text, StringComparison.Ordinal);
        Assert.Contains("ports 3389 from 0.0.0.0/0", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigChangeWhoseCallEventBridgeDropped_IsStillMailed()
    {
        var change = Change.Seed(serve);

        var answer = await serve.DeliverAsync(change.ConfigItem(3389));
        var again = await serve.DeliverAsync(change.ConfigItem(3389));

        Assert.True(answer == (HttpStatusCode.OK, "sent"), $"{answer}\n{serve.Output}");
        Assert.Equal((HttpStatusCode.OK, "duplicate"), again);
        var mail = Assert.Single(await serve.MailsToAsync(change.Owner));
        Assert.DoesNotContain("ALREADY REPORTED", mail.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigReportingARuleTheCallDidNotAdd_MailsAgainSayingWhatWasAlreadyReported()
    {
        var change = Change.Seed(serve, sshRule: true);
        var (call, eventId) = CrossSourceChanges.AuthorizeIngressFromWorld(change.GroupId, change.RdpRuleId, 3389, change.CallTime);

        var first = await serve.DeliverAsync(call);
        var second = await serve.DeliverAsync(change.ConfigItem(3389, 22));

        Assert.True(first == (HttpStatusCode.OK, "sent"), $"{first}\n{serve.Output}");
        Assert.True(second == (HttpStatusCode.OK, "sent"), $"{second}\n{serve.Output}");
        var mails = await serve.MailsToAsync(change.Owner);
        Assert.Equal(2, mails.Count);
        Assert.DoesNotContain("ports 22 ", mails[0].Text, StringComparison.Ordinal);
        var config = mails[1].Text;
        Assert.Contains("Reported: AWS Config", config, StringComparison.Ordinal);
        Assert.Contains($"ALREADY REPORTED: Part of this change was already mailed from AWS CloudTrail (the API call, through EventBridge) at {CrossSourceChanges.Time(change.CallTime).Replace('T', ' ').Replace("Z", " UTC", StringComparison.Ordinal)} (event {eventId})", config, StringComparison.Ordinal);
        Assert.Contains("covered (1 of its 2 facts)", config, StringComparison.Ordinal);
        Assert.Contains("ports 22 from 0.0.0.0/0", config, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OneTagCallOnTwoGroups_MailsEachGroupsOwnersOnce_AlsoWhenSnsDeliversAgain()
    {
        // The ledger answers a retry by its SNS MessageId too: each group of one message is claimed under its own id, or
        // the first group's mail would answer "duplicate" for the second.
        var first = Change.Seed(serve);
        var second = Change.Seed(serve);
        foreach (var change in new[] { first, second })
        {
            serve.Aws.ReplaceGroup(CrossSourceChanges.Account, CrossSourceChanges.Region, change.Group with
            {
                Tags = new Dictionary<string, string>(change.Group.Tags) { ["CostCenter"] = "4711" },
            });
        }

        var (call, _) = CrossSourceChanges.TagSetOnGroups([first.GroupId, second.GroupId], "CostCenter", "4711", first.CallTime);

        var answer = await serve.DeliverAsync(call);
        var again = await serve.DeliverAsync(call);

        Assert.True(answer == (HttpStatusCode.OK, "sent"), $"{answer}\n{serve.Output}");
        Assert.True(again.Status == HttpStatusCode.OK, $"{again}\n{serve.Output}");
        Assert.Single(await serve.MailsToAsync(first.Owner));
        Assert.Single(await serve.MailsToAsync(second.Owner));
    }

    [Fact]
    public async Task CreateTagsRepointingTheOwner_MailsThePreviousOwnersConfigToldTheDirectoryAbout()
    {
        var change = Change.Seed(serve);
        var told = await serve.DeliverAsync(change.ConfigItem(3389));
        var newOwner = ConfigChanges.UniqueOwner("two-sources-new");
        serve.Aws.ReplaceGroup(CrossSourceChanges.Account, CrossSourceChanges.Region, change.Group with
        {
            Tags = new Dictionary<string, string>(change.Group.Tags) { ["OwnerDL"] = newOwner },
        });
        var (call, eventId) = CrossSourceChanges.OwnerTagSet(change.GroupId, newOwner, change.CaptureTime.AddMinutes(1));

        var answer = await serve.DeliverAsync(call);

        Assert.True(told == (HttpStatusCode.OK, "sent"), $"{told}\n{serve.Output}");
        Assert.True(answer == (HttpStatusCode.OK, "sent"), $"{answer}\n{serve.Output}");
        var previous = await serve.MailsToAsync(change.Owner);
        Assert.Equal(2, previous.Count);
        Assert.Contains($"OwnerDL changed: \"{change.Owner}\" -> \"{newOwner}\"", previous[1].Text, StringComparison.Ordinal);
        Assert.Contains("CreateTags at ", previous[1].Text, StringComparison.Ordinal);
        Assert.Contains(eventId, previous[1].Text, StringComparison.Ordinal);
        Assert.Single(await serve.MailsToAsync(newOwner));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OwnerRepointedFromBothSources_MailsPreviousAndNewOwnersOnce(bool cloudTrailFirst)
    {
        var change = Change.Seed(serve);
        var told = await serve.DeliverAsync(change.ConfigItem(3389));
        var newOwner = ConfigChanges.UniqueOwner("two-sources-new");
        serve.Aws.ReplaceGroup(CrossSourceChanges.Account, CrossSourceChanges.Region, change.Group with
        {
            Tags = new Dictionary<string, string>(change.Group.Tags) { ["OwnerDL"] = newOwner },
        });
        var (call, _) = CrossSourceChanges.OwnerTagSet(change.GroupId, newOwner, change.CaptureTime.AddSeconds(30));
        var item = CrossSourceChanges.ConfigOwnerRepointed(change.GroupId, change.Owner, newOwner, change.CaptureTime.AddSeconds(50));

        var first = await serve.DeliverAsync(cloudTrailFirst ? call : item);
        var second = await serve.DeliverAsync(cloudTrailFirst ? item : call);

        Assert.True(told == (HttpStatusCode.OK, "sent"), $"{told}\n{serve.Output}");
        Assert.True(first == (HttpStatusCode.OK, "sent"), $"{first}\n{serve.Output}");
        Assert.True(second == (HttpStatusCode.OK, "already-notified"), $"{second}\n{serve.Output}");
        var previous = await serve.MailsToAsync(change.Owner);
        Assert.Equal(2, previous.Count);
        Assert.Contains($"OwnerDL changed: \"{change.Owner}\" -> \"{newOwner}\"", previous[1].Text, StringComparison.Ordinal);
        Assert.Single(await serve.MailsToAsync(newOwner));
    }

    [Fact]
    public async Task RevokeByRuleId_TakesTheRuleFromTheDirectory_AndConfigsDeleteIsAlreadyNotified()
    {
        var change = Change.Seed(serve);
        var (authorize, _) = CrossSourceChanges.AuthorizeIngressFromWorld(change.GroupId, change.RdpRuleId, 3389, change.CallTime);
        var added = await serve.DeliverAsync(authorize);
        serve.Aws.ReplaceGroup(CrossSourceChanges.Account, CrossSourceChanges.Region, change.Group with
        {
            Rules = change.Group.Rules.Where(r => r.RuleId != change.RdpRuleId).ToList(),
        });

        // The directory holds EC2's read made while handling the authorize call; a revoke made after that read (CloudTrail
        // times are whole seconds) finds the rule there.
        await Task.Delay(TimeSpan.FromSeconds(1.1));
        var revokedAt = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var (revoke, _) = CrossSourceChanges.RevokeIngressByRuleId(change.GroupId, change.RdpRuleId, revokedAt);
        var removed = await serve.DeliverAsync(revoke);
        var config = await serve.DeliverAsync(CrossSourceChanges.ConfigRuleRemoved(change.GroupId, change.Owner, revokedAt.AddSeconds(1), 3389));

        Assert.True(added == (HttpStatusCode.OK, "sent"), $"{added}\n{serve.Output}");
        Assert.True(removed == (HttpStatusCode.OK, "sent"), $"{removed}\n{serve.Output}");
        Assert.True(config == (HttpStatusCode.OK, "already-notified"), $"{config}\n{serve.Output}");
        var mails = await serve.MailsToAsync(change.Owner);
        Assert.Equal(2, mails.Count);
        Assert.Contains($"removed inbound tcp ports 3389 from 0.0.0.0/0 ({change.RdpRuleId})", mails[1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RevokeByIdOfARuleOnlyConfigDescribed_IsShownAsUnknown_AndConfigsDeleteIsMailed()
    {
        var change = Change.Seed(serve);
        var told = await serve.DeliverAsync(change.ConfigItem(3389));
        serve.Aws.ReplaceGroup(CrossSourceChanges.Account, CrossSourceChanges.Region, change.Group with
        {
            Rules = change.Group.Rules.Where(r => r.RuleId != change.RdpRuleId).ToList(),
        });
        var (revoke, _) = CrossSourceChanges.RevokeIngressByRuleId(change.GroupId, change.RdpRuleId, change.CaptureTime.AddSeconds(30));

        // Config items carry no rule ids, and EC2 no longer has the rule: nobody can say what the id was, so the call's
        // mail says so and its fact cannot cover Config's DELETE.
        var removed = await serve.DeliverAsync(revoke);
        var config = await serve.DeliverAsync(CrossSourceChanges.ConfigRuleRemoved(change.GroupId, change.Owner, change.CaptureTime.AddSeconds(50), 3389));

        Assert.True(told == (HttpStatusCode.OK, "sent"), $"{told}\n{serve.Output}");
        Assert.True(removed == (HttpStatusCode.OK, "sent"), $"{removed}\n{serve.Output}");
        Assert.True(config == (HttpStatusCode.OK, "sent"), $"{config}\n{serve.Output}");
        var mails = await serve.MailsToAsync(change.Owner);
        Assert.Equal(3, mails.Count);
        Assert.Contains($"rule {change.RdpRuleId} (details unknown)", mails[1].Text, StringComparison.Ordinal);
        Assert.Contains("removed inbound tcp ports 3389 from 0.0.0.0/0", mails[2].Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task CallTwentyMinutesBeforeTheCapture_DoesNotCoverTheConfigChange(bool cloudTrailFirst)
    {
        var change = Change.Seed(serve);
        var (call, _) = CrossSourceChanges.AuthorizeIngressFromWorld(change.GroupId, change.RdpRuleId, 3389, change.CaptureTime.AddMinutes(-20));
        var item = change.ConfigItem(3389);

        var first = await serve.DeliverAsync(cloudTrailFirst ? call : item);
        var second = await serve.DeliverAsync(cloudTrailFirst ? item : call);

        Assert.True(first == (HttpStatusCode.OK, "sent"), $"{first}\n{serve.Output}");
        Assert.True(second == (HttpStatusCode.OK, "sent"), $"{second}\n{serve.Output}");
        var mails = await serve.MailsToAsync(change.Owner);
        Assert.Equal(2, mails.Count);
        Assert.All(mails, static m => Assert.DoesNotContain("ALREADY REPORTED", m.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithDefaultSources_TheCloudTrailEventIsSourceDisabledAndMailsNothing()
    {
        var change = Change.Seed(serve);
        var (call, _) = CrossSourceChanges.AuthorizeIngressFromWorld(change.GroupId, change.RdpRuleId, 3389, change.CallTime);
        await using var configOnly = await serve.StartServeAsync(sources: null);
        var ec2Reads = serve.Aws.Ec2Calls("DescribeSecurityGroups").Count;

        var ignored = await serve.DeliverAsync(call, configOnly);
        var mailsAfterCall = (await serve.MailsToAsync(change.Owner)).Count;
        var config = await serve.DeliverAsync(change.ConfigItem(3389), configOnly);

        Assert.True(ignored == (HttpStatusCode.OK, "source-disabled"), $"{ignored}\n{configOnly.Output}");
        Assert.Equal(0, mailsAfterCall);
        Assert.Equal(ec2Reads, serve.Aws.Ec2Calls("DescribeSecurityGroups").Count);
        Assert.True(config == (HttpStatusCode.OK, "sent"), $"{config}\n{configOnly.Output}");
        Assert.Single(await serve.MailsToAsync(change.Owner));
    }

    /// <summary>
    /// One test's group: in EC2 (the stub) as it is after the change, tagged <c>NotifyOnChange=Yes</c> and owned by a
    /// fresh address; the call made 40 s before Config captured the item a minute ago.
    /// </summary>
    private sealed record Change(string GroupId, string RdpRuleId, string Owner, StubSecurityGroup Group, DateTimeOffset CaptureTime)
    {
        public DateTimeOffset CallTime => CaptureTime.AddSeconds(-40);

        public static Change Seed(TwoSourceServe serve, bool sshRule = false)
        {
            var groupId = CrossSourceChanges.NewGroupId();
            var rdp = CrossSourceChanges.NewRuleId();
            var owner = ConfigChanges.UniqueOwner("two-sources");
            List<StubRule> rules =
            [
                new(CrossSourceChanges.NewRuleId(), false, "tcp", 443, 443, CidrIpv4: "10.20.0.0/16", Description: "internal https"),
                new(rdp, false, "tcp", 3389, 3389, CidrIpv4: "0.0.0.0/0", Description: CrossSourceChanges.RuleDescription),
                new(CrossSourceChanges.NewRuleId(), true, "-1", null, null, CidrIpv4: "0.0.0.0/0"),
            ];
            if (sshRule)
            {
                rules.Add(new(CrossSourceChanges.NewRuleId(), false, "tcp", 22, 22, CidrIpv4: "0.0.0.0/0", Description: CrossSourceChanges.RuleDescription));
            }

            var tags = new Dictionary<string, string> { ["Name"] = "app-servers", ["NotifyOnChange"] = "Yes", ["OwnerDL"] = owner };
            var group = serve.Aws.AddGroup(CrossSourceChanges.Account, CrossSourceChanges.Region, new StubSecurityGroup(groupId, "app-servers", CrossSourceChanges.VpcId, tags, rules));
            var capture = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds());
            return new Change(groupId, rdp, owner, group, capture);
        }

        public string ConfigItem(params int[] portsFromWorld) => CrossSourceChanges.ConfigRulesAdded(GroupId, Owner, CaptureTime, portsFromWorld);
    }

    /// <summary>
    /// One Production <c>serve</c> for the class with both sources on, signed deliveries (the test signer's certificate
    /// through <c>--cert-dir</c>), Table storage in Azurite under table names of its own, SES in aws-ses-v2-local, and
    /// every AWS read through the stub with per-account roles.
    /// </summary>
    public sealed class TwoSourceServe : IAsyncLifetime
    {
        private readonly TestSnsSigner _signer = new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        private readonly DirectoryInfo _certificates = Directory.CreateTempSubdirectory("sgnotifier-two-sources-certs-");
        private readonly string _tables = Guid.NewGuid().ToString("N")[..16];
        private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
        private AwsApiStub? _aws;
        private ServeProcess? _serve;
        private Uri? _ses;

        internal AwsApiStub Aws => _aws!;

        public string Output => _serve!.Output;

        public async Task InitializeAsync()
        {
            await File.WriteAllBytesAsync(Path.Combine(_certificates.FullName, _signer.CertificateName), _signer.CertificatePem);
            _aws = await AwsApiStub.StartAsync();
            _ses = await SharedEmulators.SesUrlAsync();
            _serve = await StartServeAsync(["Config", "CloudTrail"]);
        }

        /// <param name="sources"><c>Notify:Sources</c>; null leaves the default (Config only).</param>
        public async Task<ServeProcess> StartServeAsync(IReadOnlyList<string>? sources)
        {
            var environment = new Dictionary<string, string>(ServeProcess.ProductionSesEnvironment(_ses!))
            {
                ["Email__Ses__AccessKeyId"] = "AKIDEXAMPLE",
                ["Email__Ses__SecretAccessKey"] = "emulator-secret",
                ["Ledger__Provider"] = "Table",
                ["Ledger__ConnectionString"] = await SharedEmulators.TableConnectionStringAsync(),
                ["Ledger__TableName"] = "twosrc" + _tables,
                ["Ledger__GroupTableName"] = "twosrcgroups" + _tables,
                ["Aws__Ec2ServiceUrl"] = Aws.Url,
                ["Aws__StsServiceUrl"] = Aws.Url,
                ["Aws__RoleArnTemplate"] = AwsTestSetup.RoleTemplate,
                ["Aws__ExternalId"] = AwsTestSetup.ExternalId,
                ["Aws__MaxErrorRetry"] = "0",
                ["AWS_ACCESS_KEY_ID"] = AwsApiStub.BaseAccessKey,
                ["AWS_SECRET_ACCESS_KEY"] = AwsApiStub.BaseSecretKey,
                ["AWS_SESSION_TOKEN"] = string.Empty,
                ["AWS_PROFILE"] = string.Empty,
                ["AWS_EC2_METADATA_DISABLED"] = "true",
            };
            for (var i = 0; i < (sources?.Count ?? 0); i++)
            {
                environment["Notify__Sources__" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = sources![i];
            }

            return await ServeProcess.StartAsync(["--cert-dir", _certificates.FullName], environment);
        }

        /// <summary>Delivers <paramref name="message"/> as SNS does (signed, to the allowed topic); the status and the answer's reason.</summary>
        public async Task<(HttpStatusCode Status, string? Reason)> DeliverAsync(string message, ServeProcess? to = null)
        {
            var body = _signer.Notification(ConfigChanges.Topic, message, DateTimeOffset.UtcNow);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri((to ?? _serve!).BaseUri, "/api/sns")) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = Encoding.UTF8.WebName };
            request.Headers.Add("x-amz-sns-message-type", "Notification");
            request.Headers.Add("x-amz-sns-topic-arn", ConfigChanges.Topic);
            using var response = await _http.SendAsync(request);
            return (response.StatusCode, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())?["reason"]);
        }

        public Task<IReadOnlyList<(string Subject, string Text)>> MailsToAsync(string recipient) => SesStore.MailsListingAsync(_ses!, recipient);

        public async Task DisposeAsync()
        {
            if (_serve is not null)
            {
                await _serve.DisposeAsync();
            }

            if (_aws is not null)
            {
                await _aws.DisposeAsync();
            }

            _http.Dispose();
            _signer.Dispose();
            _certificates.Delete(recursive: true);
        }
    }
}
