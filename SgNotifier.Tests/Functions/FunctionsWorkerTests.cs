using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SgNotifier.Tests.Functions.Host;
using SgNotifier.Tests.Functions.Host.Rpc;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Functions;

/// <summary>
/// The real SgNotifier.Functions worker — its Program.cs, generated function metadata, DI, options validation and
/// ASP.NET Core integration — started as its own process by <see cref="StandInFunctionsHost"/> and called over the
/// host↔worker gRPC protocol plus HTTP, the way the Functions host does. Function keys are NOT covered: they are
/// enforced by the real host only, before a request reaches the worker, and the worker ignores <c>?code=</c>.
/// Signed messages are verified through the worker's real certificate download (TLS, pinned URL), answered offline by
/// <see cref="SnsCertificateProxy"/>.
/// </summary>
public sealed class FunctionsWorkerTests(FunctionsWorkerTests.Worker worker) : IClassFixture<FunctionsWorkerTests.Worker>
{
    private const string Topic = "arn:aws:sns:us-east-1:123456789012:config-sg-changes";

    [Fact]
    public void Worker_indexes_and_loads_sns_as_http_post_health_as_anonymous_get_and_ledger_purge_as_timer()
    {
        var host = worker.Host;

        Assert.Equal(["health", "ledger-purge", "sns"], host.Functions.Keys.Order(StringComparer.Ordinal));
        Assert.All(host.Functions.Values, f => Assert.False(string.IsNullOrEmpty(f.FunctionId)));
        Assert.All(host.LoadResults, r => Assert.True(r.Value.Status == StatusResult.Types.Status.Success, r.Key + ": " + r.Value));

        var sns = host.Functions["sns"];
        var trigger = Assert.Single(sns.Bindings.Values, b => b.Direction == BindingInfo.Types.Direction.In);
        Assert.Equal("httpTrigger", trigger.Type, ignoreCase: true);
        var raw = JsonNode.Parse(Assert.Single(sns.RawBindings, r => r.Contains("httpTrigger", StringComparison.OrdinalIgnoreCase)))!;
        Assert.Equal(["post"], raw["methods"]!.AsArray().Select(m => ((string?)m)?.ToLowerInvariant()));
        Assert.Equal("sns", (string?)raw["route"]);
        Assert.Equal("function", ((string?)raw["authLevel"])?.ToLowerInvariant());

        var health = JsonNode.Parse(Assert.Single(host.Functions["health"].RawBindings, r => r.Contains("httpTrigger", StringComparison.OrdinalIgnoreCase)))!;
        Assert.Equal(["get"], health["methods"]!.AsArray().Select(m => ((string?)m)?.ToLowerInvariant()));
        Assert.Equal("health", (string?)health["route"]);
        Assert.Equal("anonymous", ((string?)health["authLevel"])?.ToLowerInvariant());

        var purge = host.Functions["ledger-purge"];
        var timer = Assert.Single(purge.Bindings.Values);
        Assert.Equal("timerTrigger", timer.Type, ignoreCase: true);
        Assert.Contains(purge.RawBindings, r => r.Contains("0 30 3 * * *", StringComparison.Ordinal));
        Assert.StartsWith("http://", host.HttpUri.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Genuinely_signed_change_is_accepted_and_mailed()
    {
        var body = worker.Signer.Notification(Topic, File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json")), DateTimeOffset.UtcNow);

        var answer = await worker.Host.InvokeHttpAsync("sns", "sns", body, SnsHeaders(body));

        Assert.True(answer.Status == HttpStatusCode.OK, answer + "\n" + worker.Host.Log);
        Assert.Equal("application/json; charset=utf-8", answer.ContentType);
        var json = JsonNode.Parse(answer.Body)!;
        Assert.Equal("notify", (string?)json["outcome"]);
        Assert.Equal("sent", (string?)json["reason"]);
        Assert.Equal(StatusResult.Types.Status.Success, answer.Invocation.Result.Status);
        var mail = Assert.Single(Directory.GetFiles(worker.Outbox, "*.eml"), f => File.ReadAllText(f).Contains("3389", StringComparison.Ordinal));
        Assert.Contains("dept-a@example.com", File.ReadAllText(mail), StringComparison.Ordinal);
        Assert.True(worker.CertificatesServed >= 1, "the worker never downloaded the signing certificate");
    }

    [Fact]
    public async Task Forged_message_is_refused_403_bad_signature()
    {
        // Signed for one message, delivered with another.
        var signed = JsonNode.Parse(worker.Signer.Notification(Topic, "{\"hello\":1}", DateTimeOffset.UtcNow))!.AsObject();
        signed["Message"] = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json"));
        var forged = Encoding.UTF8.GetBytes(signed.ToJsonString());

        var answer = await worker.Host.InvokeHttpAsync("sns", "sns", forged, SnsHeaders(forged));

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("application/json; charset=utf-8", answer.ContentType);
        Assert.Equal("""{"outcome":"rejected","reason":"bad-signature","detail":"the signature does not match the message"}""", answer.Body);
    }

    [Fact]
    public async Task Message_for_a_topic_not_allowed_is_refused_403_before_any_download()
    {
        var message = GenuineMessages.Named("notification-config-security-group-sigv1");

        var answer = await worker.Host.InvokeHttpAsync("sns", "sns", message.Bytes, SnsHeaders(message.Bytes));

        Assert.Equal(HttpStatusCode.Forbidden, answer.Status);
        Assert.Equal("""{"outcome":"rejected","reason":"topic-not-allowed","detail":"the topic is not in Sns:AllowedTopicArns"}""", answer.Body);
    }

    [Fact]
    public async Task Garbage_is_answered_400_invalid_json()
    {
        var answer = await worker.Host.InvokeHttpAsync("sns", "sns", "this is not json"u8.ToArray());

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Equal("application/json; charset=utf-8", answer.ContentType);
        Assert.Equal("""{"outcome":"malformed","reason":"invalid-json","detail":"the body is not valid JSON"}""", answer.Body);
        Assert.Equal(StatusResult.Types.Status.Success, answer.Invocation.Result.Status);
    }

    [Theory]
    [InlineData("Production", null, "Sns:AllowedTopicArns")]
    [InlineData("Development", "Sns__MaxBodyBytes=1", "MaxBodyBytes")]
    [InlineData("Production", "Sns__VerifySignatures=false", "Sns:VerifySignatures")]
    public async Task Settings_error_makes_the_worker_fail_at_start_naming_the_key(string environmentName, string? setting, string key)
    {
        var environment = new Dictionary<string, string>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = environmentName,
            ["Ledger__Provider"] = "Memory",
        };
        if (setting is not null)
        {
            environment["Sns__AllowedTopicArns__0"] = Topic;
            environment[setting.Split('=')[0]] = setting.Split('=')[1];
        }

        var (exitCode, output) = await StandInFunctionsHost.StartExpectingFailureAsync(environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(key, output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> SnsHeaders(byte[] body)
    {
        var json = JsonNode.Parse(body)!;
        return new Dictionary<string, string>
        {
            ["x-amz-sns-message-type"] = (string)json["Type"]!,
            ["x-amz-sns-message-id"] = (string)json["MessageId"]!,
            ["x-amz-sns-topic-arn"] = (string)json["TopicArn"]!,
        };
    }

    /// <summary>One worker for the class (each start costs about a second), with an outbox of its own.</summary>
    public sealed class Worker : IAsyncLifetime
    {
        private readonly DirectoryInfo _outbox = Directory.CreateTempSubdirectory("sgnotifier-worker-outbox-");
        private SnsCertificateProxy? _proxy;

        public TestSnsSigner Signer { get; } = new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        public StandInFunctionsHost Host { get; private set; } = null!;

        public string Outbox => _outbox.FullName;

        public int CertificatesServed => _proxy!.CertificatesServed;

        public async Task InitializeAsync()
        {
            _proxy = new SnsCertificateProxy(Signer, "us-east-1");
            var environment = new Dictionary<string, string>(_proxy.WorkerEnvironment)
            {
                ["Sns__AllowedTopicArns__0"] = Topic,
                ["Email__Provider"] = "Outbox",
                ["Email__Outbox__Directory"] = _outbox.FullName,
                ["Ledger__Provider"] = "Memory",
            };
            Host = await StandInFunctionsHost.StartAsync(environment);
        }

        public async Task DisposeAsync()
        {
            if (Host is not null)
            {
                await Host.DisposeAsync();
            }

            if (_proxy is not null)
            {
                await _proxy.DisposeAsync();
            }

            Signer.Dispose();
            _outbox.Delete(recursive: true);
        }
    }
}
