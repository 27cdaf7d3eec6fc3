using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary>Drives the built <c>sgnotifier</c> CLI as a process (issue 6): preview on the samples and on a genuine SNS message, serve over real HTTP.</summary>
public sealed class SgNotifierCliTests
{
    private const string GenuineTopic = "arn:aws:sns:us-east-1:481746159046:config-topic";

    private static string Samples(string name) => Path.Combine(RepositoryPaths.Root, "samples", name);

    private static string GenuineConfigMessage => RepositoryPaths.TestData("Sns", "genuine", "notification-config-security-group-sigv1.json");

    private static string CertDir => RepositoryPaths.TestData("Sns", "certs");

    [Fact]
    public async Task Preview_rdp_opened_notifies_owner_with_one_risky_added_rule()
    {
        var json = await PreviewJsonAsync(Samples("rdp-opened.json"));

        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal("changed", (string?)json["reason"]);
        Assert.Equal(200, (int?)json["httpStatus"]);
        Assert.Equal("ConfigurationItemChangeNotification", (string?)json["messageType"]);
        Assert.Equal("UPDATE", (string?)json["changeType"]);
        Assert.Equal(["dept-a@example.com"], Strings(json["recipients"]));
        var added = Assert.Single(json["added"]!.AsArray())!;
        Assert.Equal("ingress", (string?)added["direction"]);
        Assert.Equal("tcp", (string?)added["protocol"]);
        Assert.Equal(3389, (int?)added["fromPort"]);
        Assert.Equal(3389, (int?)added["toPort"]);
        Assert.Equal("0.0.0.0/0", (string?)added["peer"]);
        Assert.True((bool?)added["risky"]);
        Assert.True((bool?)added["public"]);
        Assert.Empty(json["removed"]!.AsArray());
        Assert.Equal("sg-0a1b2c3d4e5f67890", (string?)json["securityGroup"]!["id"]);
        AssertSubject(json);
    }

    [Fact]
    public async Task Preview_group_deleted_notifies_previous_owner_with_all_rules_removed()
    {
        var json = await PreviewJsonAsync(Samples("group-deleted.json"));

        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal("changed", (string?)json["reason"]);
        Assert.Equal("DELETE", (string?)json["changeType"]);
        Assert.Equal(["dept-a@example.com"], Strings(json["recipients"]));
        Assert.Empty(json["added"]!.AsArray());
        var removed = json["removed"]!.AsArray();
        Assert.Equal(3, removed.Count);
        Assert.Contains(removed, r => (int?)r!["fromPort"] == 3389 && (string?)r["peer"] == "0.0.0.0/0" && (bool?)r["risky"] == true);
        Assert.Contains(removed, r => (string?)r!["direction"] == "egress");
        AssertSubject(json);
    }

    [Fact]
    public async Task Preview_tag_hijack_notifies_both_old_and_new_owner()
    {
        var json = await PreviewJsonAsync(Samples("tag-hijack.json"), "--settings", Samples("settings.json"));

        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal("changed", (string?)json["reason"]);
        Assert.Equal(["dept-a@example.com", "dept-b@example.com"], Strings(json["recipients"]));
        var added = Assert.Single(json["added"]!.AsArray())!;
        Assert.Equal(22, (int?)added["fromPort"]);
        Assert.False((bool?)added["risky"]);
        Assert.Empty(json["removed"]!.AsArray());
        var tagChanges = json["tagChanges"]!.AsArray();
        Assert.Contains(tagChanges, t => (string?)t!["key"] == "NotifyOnChange" && (string?)t["before"] == "Yes" && t["after"] is null);
        Assert.Contains(tagChanges, t => (string?)t!["key"] == "OwnerDL" && (string?)t["before"] == "dept-a@example.com" && (string?)t["after"] == "dept-b@example.com");
        AssertSubject(json);
    }

    [Fact]
    public async Task Preview_genuine_sns_message_verifies_at_its_own_time()
    {
        var settings = await WriteTempAsync("{\"Sns\":{\"AllowedTopicArns\":[\"" + GenuineTopic + "\"]}}");
        try
        {
            var json = await PreviewJsonAsync(GenuineConfigMessage, "--settings", settings, "--cert-dir", CertDir, "--now", "2015-09-16T21:50:00Z");

            Assert.NotEqual("rejected", (string?)json["outcome"]);
            Assert.NotEqual("malformed", (string?)json["outcome"]);
            Assert.Equal("ConfigurationItemChangeNotification", (string?)json["messageType"]);
            Assert.Equal(200, (int?)json["httpStatus"]);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Fact]
    public async Task Preview_genuine_sns_message_without_now_is_stale()
    {
        var settings = await WriteTempAsync("{\"Sns\":{\"AllowedTopicArns\":[\"" + GenuineTopic + "\"]}}");
        try
        {
            var json = await PreviewJsonAsync(GenuineConfigMessage, "--settings", settings, "--cert-dir", CertDir);

            Assert.Equal("rejected", (string?)json["outcome"]);
            Assert.Equal("stale-message", (string?)json["reason"]);
            Assert.Equal(403, (int?)json["httpStatus"]);
            Assert.Null(json["email"]);
        }
        finally
        {
            File.Delete(settings);
        }
    }

    [Fact]
    public async Task Preview_tampered_sns_message_is_bad_signature()
    {
        var settings = await WriteTempAsync("{\"Sns\":{\"AllowedTopicArns\":[\"" + GenuineTopic + "\"]}}");
        var body = JsonNode.Parse(await File.ReadAllTextAsync(GenuineConfigMessage))!;
        body["Subject"] = (string?)body["Subject"] + " (tampered)";
        var tampered = await WriteTempAsync(body.ToJsonString());
        try
        {
            var json = await PreviewJsonAsync(tampered, "--settings", settings, "--cert-dir", CertDir, "--now", "2015-09-16T21:50:00Z");

            Assert.Equal("rejected", (string?)json["outcome"]);
            Assert.Equal("bad-signature", (string?)json["reason"]);
            Assert.Equal(403, (int?)json["httpStatus"]);
        }
        finally
        {
            File.Delete(settings);
            File.Delete(tampered);
        }
    }

    /// <summary>Issue 12: invalid UTF-8 in a captured body is a verdict (malformed), not a crash or a usage error.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Preview_input_with_invalid_utf8_is_malformed_and_exits_0(bool snsEnvelope)
    {
        var bytes = snsEnvelope ? await File.ReadAllBytesAsync(GenuineConfigMessage) : await File.ReadAllBytesAsync(Samples("rdp-opened.json"));
        var at = bytes.AsSpan().IndexOf("0.0.0.0/0"u8);
        bytes[at] = 0xFF;
        var file = Path.Combine(Path.GetTempPath(), "sgnotifier-cli-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            var json = await PreviewJsonAsync(file);

            Assert.Equal("malformed", (string?)json["outcome"]);
            Assert.Equal("invalid-utf8", (string?)json["reason"]);
            Assert.Equal(400, (int?)json["httpStatus"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Preview_missing_file_exits_1_with_message_on_stderr()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sgnotifier-missing-" + Guid.NewGuid().ToString("N") + ".json");

        var result = await CliProcess.RunAsync(["preview", missing, "--json"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not found", result.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(string.Empty, result.StdOut.Trim());
    }

    [Fact]
    public async Task Preview_bad_now_exits_1()
    {
        var result = await CliProcess.RunAsync(["preview", Samples("rdp-opened.json"), "--now", "not-a-date", "--json"]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--now", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_missing_cert_dir_exits_1_before_listening()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sgnotifier-no-such-certs-" + Guid.NewGuid().ToString("N"));

        var result = await CliProcess.RunAsync(["serve", "--urls", "http://127.0.0.1:0", "--cert-dir", missing]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("certificate folder not found", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_answers_liveness_and_rejects_garbage_and_foreign_topics()
    {
        var outbox = Directory.CreateTempSubdirectory("sgnotifier-cli-outbox-");
        try
        {
            await using var serve = await ServeProcess.StartAsync(
                ["--settings", Samples("settings.json")],
                new Dictionary<string, string> { ["Email__Outbox__Directory"] = outbox.FullName });
            using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = TimeSpan.FromSeconds(10) };

            using (var garbage = await http.PostAsync(new Uri("/api/sns", UriKind.Relative), new StringContent("this is not json {", Encoding.UTF8, "text/plain")))
            {
                Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
                Assert.Equal("invalid-json", await ReasonAsync(garbage));
            }

            var genuine = await File.ReadAllTextAsync(GenuineConfigMessage);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/sns", UriKind.Relative))
            {
                Content = new StringContent(genuine, Encoding.UTF8, "text/plain"),
            };
            request.Headers.Add("x-amz-sns-message-type", "Notification");
            request.Headers.Add("x-amz-sns-topic-arn", GenuineTopic);
            using var foreign = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, foreign.StatusCode);
            Assert.Equal("topic-not-allowed", await ReasonAsync(foreign));
        }
        finally
        {
            outbox.Delete(recursive: true);
        }
    }

    private static async Task<string?> ReasonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = JsonNode.Parse(text);
        return (string?)json?["reason"];
    }

    private static void AssertSubject(JsonNode json)
    {
        var email = json["email"];
        Assert.NotNull(email);
        Assert.False(string.IsNullOrWhiteSpace((string?)email["subject"]));
    }

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => (string)n!)];

    private static async Task<string> WriteTempAsync(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), "sgnotifier-cli-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, content);
        return path;
    }

    private static async Task<JsonNode> PreviewJsonAsync(string file, params string[] extra)
    {
        var result = await CliProcess.RunAsync(["preview", file, "--json", .. extra]);
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");
        using var document = JsonDocument.Parse(result.StdOut); // exactly one JSON object on stdout
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return JsonNode.Parse(result.StdOut)!;
    }
}
