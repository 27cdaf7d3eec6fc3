using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// Issue 13's headline attacks replayed through the built CLI as a process: <c>preview</c> on the attack messages,
/// and <c>serve</c> in Production over real HTTP with signed deliveries and an SES stub that refuses what SES refuses.
/// </summary>
public sealed class TaggerAttackCliTests
{
    private const string Owner = "dept-a@example.com";

    [Fact]
    public async Task Preview_case_variant_owner_flood_mails_the_previous_owner_alone_and_reports_the_excess()
    {
        var json = await PreviewAsync(TaggerAttacks.CaseVariantOwnerFlood(Owner, 1));

        Assert.Equal(("notify", "changed"), ((string?)json["outcome"], (string?)json["reason"]));
        var messages = json["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("previous-owners", (string?)messages[0]!["audience"]);
        Assert.Equal([Owner], Strings(messages[0]!["recipients"]));
        Assert.All(messages, m => Assert.InRange(m!["recipients"]!.AsArray().Count, 1, 50));
        Assert.InRange(json["recipients"]!.AsArray().Count, 2, 20);
        Assert.Contains(json["rejectedRecipients"]!.AsArray(), r => (string?)r!["reason"] == "too-many-recipients");
    }

    [Fact]
    public async Task Preview_lookalike_yes_says_notifications_are_now_off_and_shows_the_lookalike()
    {
        var after = TaggerAttacks.OptedIn(Owner);
        after["NotifyOnChange"] = "Y\u0435s";

        var json = await PreviewAsync(TaggerAttacks.TagChange(TaggerAttacks.OptedIn(Owner), after, 2));

        Assert.Equal([Owner], Strings(json["recipients"]));
        Assert.NotNull((string?)json["notificationsOff"]);
        Assert.StartsWith("[SG change] notifications for this group are now OFF", (string?)json["email"]!["subject"], StringComparison.Ordinal);
        Assert.Contains("\"Yes\" -> \"Y<U+0435>s\"", (string?)json["email"]!["text"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_zero_width_yes_keeps_the_group_opted_in()
    {
        var tags = TaggerAttacks.OptedIn(Owner);
        tags["NotifyOnChange"] = "Yes\u200B";

        var json = await PreviewAsync(TaggerAttacks.TagChange(tags, tags, 3, rdpOpened: true));

        Assert.Equal(("notify", "changed"), ((string?)json["outcome"], (string?)json["reason"]));
        Assert.Equal([Owner], Strings(json["recipients"]));
    }

    [Fact]
    public async Task Preview_owner_outside_the_allowed_domains_is_rejected_and_the_previous_owner_is_told()
    {
        var json = await PreviewAsync(TaggerAttacks.TagChange(TaggerAttacks.OptedIn(Owner), TaggerAttacks.OptedIn("drop@attacker-mail.test"), 4));

        Assert.Equal([Owner], Strings(json["recipients"]));
        Assert.Contains(json["rejectedRecipients"]!.AsArray(), r => (string?)r!["reason"] == "domain-not-allowed");
        Assert.NotNull((string?)json["notificationsOff"]);
    }

    [Fact]
    public async Task Serve_in_production_without_allowed_recipient_domains_refuses_to_start()
    {
        var result = await CliProcess.RunAsync(["serve", "--urls", "http://127.0.0.1:0"], new Dictionary<string, string>
        {
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["Sns__AllowedTopicArns__0"] = ConfigChanges.Topic,
        });

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("Notify:AllowedRecipientDomains", result.StdOut + result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_attacks_over_http_owner_told_limits_kept_large_messages_accepted_no_address_logged()
    {
        await using var ses = await SesStub.StartAsync();
        using var signer = new TestSnsSigner(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificates = Directory.CreateTempSubdirectory("sgnotifier-i13-certs-");
        await File.WriteAllBytesAsync(Path.Combine(certificates.FullName, signer.CertificateName), signer.CertificatePem);
        var owner = ConfigChanges.UniqueOwner();
        var refused = ConfigChanges.UniqueOwner("unverified");
        try
        {
            await using var serve = await ServeProcess.StartAsync(
                ["--cert-dir", certificates.FullName],
                new Dictionary<string, string>(ServeProcess.ProductionSesEnvironment(ses.Stub.BaseUri))
                {
                    ["Email__Ses__AccessKeyId"] = "AKIDEXAMPLE",
                    ["Email__Ses__SecretAccessKey"] = "stub-secret",
                    ["Email__Retry__MaxRetries"] = "0",
                    ["Ledger__Provider"] = "Memory",
                    ["Logging__LogLevel__Default"] = "Debug",
                });
            using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = TimeSpan.FromSeconds(30) };

            // 1. 52 addresses in case-variant owner tags: every message within SES's limit, the owner mailed alone.
            var (status, reason) = await DeliverAsync(http, signer.Notification(ConfigChanges.Topic, TaggerAttacks.CaseVariantOwnerFlood(owner, 101), DateTimeOffset.UtcNow));
            Assert.True((status, reason) == (HttpStatusCode.OK, "sent"), $"{status} {reason}\n{serve.Output}");
            Assert.Contains(ses.Accepted(), m => m.To.SequenceEqual([owner]));
            Assert.All(ses.Stub.Requests, r => Assert.DoesNotContain("Recipient count exceeds", r.BodyText, StringComparison.Ordinal));

            // 2. The owner tag re-pointed at an address SES refuses: the owner still hears; the refusal names the
            //    address, and it reaches the log only masked.
            var repointed = TaggerAttacks.TagChange(TaggerAttacks.OptedIn(owner), TaggerAttacks.OptedIn(refused), 102, rdpOpened: true);
            (status, reason) = await DeliverAsync(http, signer.Notification(ConfigChanges.Topic, repointed, DateTimeOffset.UtcNow));
            Assert.Equal((HttpStatusCode.OK, "send-rejected"), (status, reason));
            Assert.Equal(2, ses.Accepted().Count(m => m.To.SequenceEqual([owner])));

            // 3. A genuine-sized change whose Message is full of characters SNS escapes: accepted, not 413.
            var large = LargeChange(owner, 103);
            var body = signer.Notification(ConfigChanges.Topic, large, DateTimeOffset.UtcNow);
            Assert.InRange(Encoding.UTF8.GetByteCount(large), 200_000, 256 * 1024);
            Assert.True(body.Length > 400_000, "the escaped body should be far above 256 KiB: " + body.Length);
            (status, reason) = await DeliverAsync(http, body);
            Assert.True((status, reason) == (HttpStatusCode.OK, "sent"), $"{status} {reason}");

            await Task.Delay(500);
            var output = serve.Output;
            Assert.Contains("3102", output, StringComparison.Ordinal);
            Assert.DoesNotContain(refused, output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(owner, output, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("a00@example.com", output, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            certificates.Delete(recursive: true);
        }
    }

    /// <summary>A change whose Config message is about 240 KB, most of it quotes and backslashes in rule descriptions.</summary>
    private static string LargeChange(string owner, long stateId)
    {
        var root = JsonNode.Parse(ConfigChanges.RdpOpened(owner, stateId))!;
        var rules = root["configurationItem"]!["configuration"]!["ipPermissions"]!.AsArray();
        for (var i = 0; i < 300; i++)
        {
            rules.Add(new JsonObject
            {
                ["ipProtocol"] = "tcp",
                ["fromPort"] = 10_000 + i,
                ["toPort"] = 10_000 + i,
                ["ipv6Ranges"] = new JsonArray(),
                ["prefixListIds"] = new JsonArray(),
                ["userIdGroupPairs"] = new JsonArray(),
                ["ipv4Ranges"] = new JsonArray(new JsonObject { ["cidrIp"] = "10.0.0.0/8", ["description"] = new string('"', 120) + new string('\\', 120) + "x" }),
                ["ipRanges"] = new JsonArray("10.0.0.0/8"),
            });
        }

        // Escaped as AWS writes JSON (\" rather than \u0022), so the Message stays within SNS's 256 KiB.
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    private static async Task<(HttpStatusCode Status, string? Reason)> DeliverAsync(HttpClient http, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/sns", UriKind.Relative)) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "UTF-8" };
        using var response = await http.SendAsync(request);
        return (response.StatusCode, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())?["reason"]);
    }

    private static async Task<JsonNode> PreviewAsync(string configMessage)
    {
        var file = Path.Combine(Path.GetTempPath(), "sgnotifier-i13-" + Guid.NewGuid().ToString("N") + ".json");
        var settings = Path.Combine(Path.GetTempPath(), "sgnotifier-i13-settings-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(file, configMessage);
        await File.WriteAllTextAsync(settings, "{\"Notify\":{\"AllowedRecipientDomains\":[\"example.com\"]}}");
        try
        {
            var result = await CliProcess.RunAsync(["preview", file, "--json", "--settings", settings]);
            Assert.True(result.ExitCode == 0, result.StdErr);
            return JsonNode.Parse(result.StdOut)!;
        }
        finally
        {
            File.Delete(file);
            File.Delete(settings);
        }
    }

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => (string)n!)];
}
