using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using SgNotifier.Core;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// <c>sgnotifier replay</c> as a process against loopback SQS and SNS stubs speaking their real wire formats: SQS's
/// JSON protocol as AWSSDK.SQS 4 sends it (<c>X-Amz-Target: AmazonSQS.ReceiveMessage</c>) and SNS's Query protocol
/// (form POST, XML answer). Every request must carry a SigV4 signature for its service. Dead-letter entries are signed by
/// <see cref="TestSnsSigner"/>, whose certificate the CLI reads with <c>--cert-dir</c>: replay publishes only entries
/// that verify as SNS's for exactly <c>--topic-arn</c> (SNS signs what is published, so the app would trust a forgery).
/// </summary>
public sealed class ReplayTests : IAsyncLifetime, IDisposable
{
    private const string QueueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/sgnotifier-dlq";
    private const string OtherTopic = "arn:aws:sns:us-east-1:210987654321:not-ours";

    private readonly TestSnsSigner _signer = new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, (string Body, bool Visible)> _queue = new();
    private readonly ConcurrentQueue<Dictionary<string, string>> _published = new();
    private readonly DirectoryInfo _certificates = Directory.CreateTempSubdirectory("sgnotifier-replay-certs-");
    private LoopbackHttpStub _sqs = null!;
    private LoopbackHttpStub _sns = null!;

    /// <summary>A Message containing this text makes the SNS stub answer 500 InternalError.</summary>
    private string? _failPublishContaining;

    public async Task InitializeAsync()
    {
        await File.WriteAllBytesAsync(Path.Combine(_certificates.FullName, _signer.CertificateName), _signer.CertificatePem);
        _sqs = await LoopbackHttpStub.StartAsync(AnswerSqsAsync);
        _sns = await LoopbackHttpStub.StartAsync(AnswerSnsAsync);
    }

    public async Task DisposeAsync()
    {
        await _sqs.DisposeAsync();
        await _sns.DisposeAsync();
    }

    public void Dispose()
    {
        _signer.Dispose();
        _certificates.Delete(recursive: true);
    }

    [Fact]
    public async Task QueueEntries_ArePublishedToTheGivenTopic_ThenDeleted()
    {
        var changes = Enumerable.Range(1, 3).Select(i => ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 60 + i)).ToList();
        foreach (var change in changes)
        {
            Enqueue(DeadLetter(change));
        }

        var result = await ReplayAsync("--queue-url", QueueUrl);

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains("replayed 3, failed 0, skipped 0", result.StdOut, StringComparison.Ordinal);
        Assert.Equal(changes.Order(StringComparer.Ordinal), _published.Select(static p => p["Message"]).Order(StringComparer.Ordinal));
        Assert.All(_published, static p => Assert.Equal(ConfigChanges.Topic, p["TopicArn"]));
        Assert.Empty(_queue);
        Assert.Equal(3, _events.Count(static e => e.StartsWith("delete ", StringComparison.Ordinal)));
        // Each delete comes after the publish of its own message.
        var order = _events.ToList();
        foreach (var handle in order.Where(static e => e.StartsWith("delete ", StringComparison.Ordinal)).Select(static e => e[7..]))
        {
            Assert.InRange(order.IndexOf("publish " + handle), 0, order.IndexOf("delete " + handle) - 1);
        }
    }

    [Fact]
    public async Task PublishFailure_LeavesThatEntryInTheQueue()
    {
        var failing = ConfigChanges.UniqueOwner("fails");
        Enqueue(DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 71)));
        var kept = Enqueue(DeadLetter(ConfigChanges.RdpOpened(failing, 72)));
        Enqueue(DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 73)));
        _failPublishContaining = failing;

        var result = await ReplayAsync("--queue-url", QueueUrl);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("replayed 2, failed 1, skipped 0", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("SNS answered 500 InternalError", result.StdOut, StringComparison.Ordinal);
        Assert.Equal([kept], _queue.Keys);
        Assert.Equal(2, _published.Count);
    }

    [Fact]
    public async Task EntryThatIsNotAnSnsNotification_IsSkippedAndKept()
    {
        var raw = Enqueue(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 74));

        var result = await ReplayAsync("--queue-url", QueueUrl);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("skipped sqs", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("replayed 0, failed 0, skipped 1", result.StdOut, StringComparison.Ordinal);
        Assert.Equal([raw], _queue.Keys);
        Assert.Empty(_published);
    }

    [Fact]
    public async Task ForgedEntry_IsNotPublished_AndStaysInTheQueue()
    {
        // Anyone allowed sqs:SendMessage on the DLQ can write an envelope naming the right topic and certificate URL.
        var genuine = ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 65);
        var forgedChange = ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner("forged"), 66);
        Enqueue(DeadLetter(genuine));
        var envelope = JsonNode.Parse(DeadLetter(genuine))!;
        envelope["Message"] = forgedChange;
        var forged = Enqueue(envelope.ToJsonString());

        var result = await ReplayAsync("--queue-url", QueueUrl);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("replayed 1, failed 0, skipped 1", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("skipped sqs sqs-" + forged[3..] + ": not verified as sent by SNS (bad-signature", result.StdErr, StringComparison.Ordinal);
        Assert.Equal([genuine], _published.Select(static p => p["Message"]));
        Assert.Equal([forged], _queue.Keys);
    }

    [Fact]
    public async Task UnsignedEntry_IsNotPublished_AndStaysInTheQueue()
    {
        var envelope = JsonNode.Parse(DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 67)))!.AsObject();
        envelope.Remove("Signature");
        var unsigned = Enqueue(envelope.ToJsonString());

        var result = await ReplayAsync("--queue-url", QueueUrl);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("'Signature' is missing", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_published);
        Assert.Equal([unsigned], _queue.Keys);
    }

    [Theory]
    [InlineData(OtherTopic)]
    [InlineData(ConfigChanges.Topic + "-other")]
    public async Task GenuineEntryOfAnotherTopic_IsNotPublished(string topic)
    {
        // Signed by "SNS" (the test certificate), but for a topic that is not --topic-arn.
        var other = Enqueue(Encoding.UTF8.GetString(_signer.Notification(topic, ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 68), DateTimeOffset.UtcNow.AddHours(-2))));

        var result = await ReplayAsync("--queue-url", QueueUrl);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"the entry is from {topic}, not --topic-arn {ConfigChanges.Topic}", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_published);
        Assert.Equal([other], _queue.Keys);
    }

    [Fact]
    public async Task EntryFromAFile_IsVerifiedToo()
    {
        var envelope = JsonNode.Parse(DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 69)))!;
        envelope["Message"] = ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner("forged"), 69);
        var path = Path.Combine(Path.GetTempPath(), "sgnotifier-dlq-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, new JsonArray(envelope.ToJsonString()).ToJsonString());
        try
        {
            var result = await ReplayAsync("--file", path);

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("skipped #1: not verified as sent by SNS (bad-signature", result.StdErr, StringComparison.Ordinal);
            Assert.Empty(_sns.Requests);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(2)]
    [InlineData(24 * 13)]
    public async Task OldGenuineEntry_IsPublished(int hoursOld)
    {
        // Far beyond Sns:MaxMessageAge (65 minutes): a DLQ entry is at least an hour old by definition.
        var change = ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 70);
        var signer = hoursOld > 24 ? new TestSnsSigner(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30)) : _signer;
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(_certificates.FullName, _signer.CertificateName), signer.CertificatePem);
            Enqueue(Encoding.UTF8.GetString(signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow.AddHours(-hoursOld))));

            var result = await ReplayAsync("--queue-url", QueueUrl);

            Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
            Assert.Equal([change], _published.Select(static p => p["Message"]));
            Assert.Empty(_queue);
        }
        finally
        {
            if (signer != _signer)
            {
                signer.Dispose();
            }
        }
    }

    [Fact]
    public async Task EntrySignedBeforeItsCertificateWasValid_IsNotPublished()
    {
        // The certificate-validity-at-Timestamp check still applies to old entries.
        var entry = Enqueue(Encoding.UTF8.GetString(_signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 75), DateTimeOffset.UtcNow.AddDays(-3))));

        var result = await ReplayAsync("--queue-url", QueueUrl);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("(cert-expired:", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_published);
        Assert.Equal([entry], _queue.Keys);
    }

    [Fact]
    public async Task Max_BoundsTheRun()
    {
        for (var i = 0; i < 3; i++)
        {
            Enqueue(DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 76 + i)));
        }

        var result = await ReplayAsync("--queue-url", QueueUrl, "--max", "1");

        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Single(_published);
        Assert.Equal(2, _queue.Count);
    }

    [Fact]
    public async Task UnknownQueue_FailsWithSqsAnswer()
    {
        var result = await ReplayAsync("--queue-url", QueueUrl + "-missing");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("SQS refused: 400", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_sns.Requests);
    }

    [Theory]
    [InlineData("--queue-url", QueueUrl, "--file", "samples/dlq-messages.json")]
    [InlineData("--queue-url", QueueUrl, "--dry-run", "true")]
    [InlineData("--queue-url", QueueUrl, "--max", "0")]
    public async Task ConflictingOrOutOfRangeOptions_AreUsageErrors(string a, string b, string c, string d)
    {
        var result = await ReplayAsync(a, b, c, d);

        Assert.Equal(1, result.ExitCode);
        Assert.Empty(_sqs.Requests);
        Assert.Empty(_sns.Requests);
    }

    [Fact]
    public async Task DryRunOfTheSampleFile_ReportsItsUnsignedEntryAsSkipped()
    {
        // As in the README (no --cert-dir): the sample has no Signature, so it is refused before any certificate download.
        var result = await ReplayAsync(["--file", Path.Combine(RepositoryPaths.Root, "samples", "dlq-messages.json"), "--dry-run"], ConfigChanges.Topic, certDir: false);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("would replay 0, skipped 1 (dry run: nothing published)", result.StdOut, StringComparison.Ordinal);
        Assert.Contains("skipped 7d2f4f7e-3b9a-4a51-8f0e-2c6d9a1b0e55: not a signed SNS envelope (missing-field: 'Signature' is missing)", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_sns.Requests);
    }

    [Fact]
    public async Task DryRunOfSignedEntries_VerifiesAndPublishesNothing()
    {
        var envelope = JsonNode.Parse(DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 84)))!;
        var forged = envelope.DeepClone();
        forged["Message"] = ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner("forged"), 84);
        var path = Path.Combine(Path.GetTempPath(), "sgnotifier-dlq-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, envelope.ToJsonString() + "\n" + forged.ToJsonString() + "\n");
        try
        {
            var result = await ReplayAsync("--file", path, "--dry-run");

            Assert.Equal(2, result.ExitCode);
            Assert.Contains("would publish line 1 (SNS message " + (string)envelope["MessageId"]! + ", signature verified)", result.StdOut, StringComparison.Ordinal);
            Assert.Contains("skipped line 2: not verified as sent by SNS (bad-signature", result.StdErr, StringComparison.Ordinal);
            Assert.Contains("would replay 1, skipped 1", result.StdOut, StringComparison.Ordinal);
            Assert.Empty(_sns.Requests);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("receive-message")]
    [InlineData("json-lines")]
    public async Task FileOfDeadLetterBodies_IsPublished(string format)
    {
        var bodies = new[] { DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 81)), DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 82)) };
        var path = Path.Combine(Path.GetTempPath(), "sgnotifier-dlq-" + Guid.NewGuid().ToString("N") + ".json");
        await File.WriteAllTextAsync(path, format == "json-lines"
            ? string.Join('\n', bodies.Select(static b => JsonNode.Parse(b)!.ToJsonString()))
            : new JsonObject { ["Messages"] = new JsonArray(bodies.Select((b, i) => (JsonNode)new JsonObject { ["MessageId"] = "m" + i, ["Body"] = b }).ToArray()) }.ToJsonString());
        try
        {
            var result = await ReplayAsync("--file", path);

            Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
            Assert.Equal(2, _published.Count);
            Assert.Empty(_sqs.Requests);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(OtherTopic)]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:config-sg-changes")]
    public async Task TopicNotInTheAllowList_IsRefusedBeforeAnyCall(string topic)
    {
        Enqueue(DeadLetter(ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 91)));

        var result = await ReplayAsync(["--queue-url", QueueUrl], topic);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Sns:AllowedTopicArns", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_sqs.Requests);
        Assert.Empty(_sns.Requests);
    }

    [Fact]
    public async Task ReplayedChange_IsOneMailForTheLedger()
    {
        var change = ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 95);
        using var host = new SnsTestHost(
            new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = ConfigChanges.Topic, ["Ledger:Provider"] = "Memory", ["Email:Outbox:Directory"] = Path.Combine(Path.GetTempPath(), "sgnotifier-replay") },
            certificates: _signer.CertificateServer(),
            timeProvider: TimeProvider.System);
        var first = await DeliverAsync(host, _signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow));
        Enqueue(DeadLetter(change));

        await ReplayAsync("--queue-url", QueueUrl);
        var published = Assert.Single(_published);
        // SNS delivers the republished message with a MessageId of its own.
        var again = await DeliverAsync(host, _signer.Notification(published["TopicArn"], published["Message"], DateTimeOffset.UtcNow));

        Assert.Equal(NotifyReasons.Sent, first.Reason);
        Assert.NotEqual(first.Message!.MessageId, again.Message!.MessageId);
        Assert.Equal(NotifyReasons.Duplicate, again.Reason);
    }

    private static Task<DeliveryResult> DeliverAsync(SnsTestHost host, byte[] body) =>
        host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

    /// <summary>What SNS leaves in a subscription's DLQ (raw delivery off): the signed envelope it POSTed, two hours ago.</summary>
    private string DeadLetter(string change) =>
        Encoding.UTF8.GetString(_signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow.AddHours(-2), subject: "[AWS Config:us-east-1] AWS::EC2::SecurityGroup changed"));

    private string Enqueue(string body)
    {
        var handle = "rh-" + Guid.NewGuid().ToString("N");
        _queue[handle] = (body, true);
        return handle;
    }

    private Task<CliResult> ReplayAsync(params string[] args) => ReplayAsync(args, ConfigChanges.Topic);

    private async Task<CliResult> ReplayAsync(string[] args, string topic, bool certDir = true)
    {
        string[] certificates = certDir ? ["--cert-dir", _certificates.FullName] : [];
        var start = CliProcess.StartInfo(["replay", "--topic-arn", topic, "--sqs-url", _sqs.BaseUri.ToString(), "--sns-url", _sns.BaseUri.ToString(), .. certificates, .. args]);
        start.Environment["Sns__AllowedTopicArns__0"] = ConfigChanges.Topic;
        start.Environment["AWS_ACCESS_KEY_ID"] = "AKIDREPLAYTEST";
        start.Environment["AWS_SECRET_ACCESS_KEY"] = "replay-test-secret";
        start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
        start.Environment.Remove("AWS_PROFILE");
        start.Environment.Remove("AWS_SESSION_TOKEN");
        using var process = new Process { StartInfo = start };
        try
        {
            Assert.True(process.Start());
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CliProcess.Timeout);
            await process.WaitForExitAsync(timeout.Token);
            return new CliResult(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            CliProcess.Kill(process);
        }
    }

    private static void AssertSigned(RecordedRequest request, string service) =>
        Assert.Matches($"^AWS4-HMAC-SHA256 Credential=AKIDREPLAYTEST/[0-9]{{8}}/us-east-1/{service}/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{{64}}$",
            request.Headers.GetValueOrDefault("Authorization") ?? "");

    /// <summary>SQS JSON protocol: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/sqs-json-faqs.html</summary>
    private async Task AnswerSqsAsync(HttpContext context, RecordedRequest request)
    {
        AssertSigned(request, "sqs");
        Assert.StartsWith("application/x-amz-json-1.0", request.Headers["Content-Type"], StringComparison.Ordinal);
        var body = JsonDocument.Parse(request.Body).RootElement;
        context.Response.ContentType = "application/x-amz-json-1.0";
        if (body.GetProperty("QueueUrl").GetString() != QueueUrl)
        {
            context.Response.StatusCode = 400;
            context.Response.Headers["x-amzn-query-error"] = "AWS.SimpleQueueService.NonExistentQueue;Sender";
            await context.Response.WriteAsync("{\"__type\":\"com.amazonaws.sqs#QueueDoesNotExist\",\"message\":\"The specified queue does not exist.\"}");
            return;
        }

        switch (request.Headers["X-Amz-Target"])
        {
            case "AmazonSQS.ReceiveMessage":
                var max = body.GetProperty("MaxNumberOfMessages").GetInt32();
                var batch = new JsonArray();
                foreach (var (handle, entry) in _queue.Where(static e => e.Value.Visible).Take(max).ToList())
                {
                    _queue[handle] = (entry.Body, false);
                    batch.Add(new JsonObject
                    {
                        ["MessageId"] = "sqs-" + handle[3..],
                        ["ReceiptHandle"] = handle,
                        ["MD5OfBody"] = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(entry.Body))),
                        ["Body"] = entry.Body,
                    });
                }

                await context.Response.WriteAsync(batch.Count == 0 ? "{}" : new JsonObject { ["Messages"] = batch }.ToJsonString());
                break;
            case "AmazonSQS.DeleteMessage":
                var receipt = body.GetProperty("ReceiptHandle").GetString()!;
                if (!_queue.TryRemove(receipt, out _))
                {
                    context.Response.StatusCode = 400;
                    context.Response.Headers["x-amzn-query-error"] = "ReceiptHandleIsInvalid;Sender";
                    await context.Response.WriteAsync("{\"__type\":\"com.amazonaws.sqs#ReceiptHandleIsInvalid\",\"message\":\"The input receipt handle is invalid.\"}");
                    return;
                }

                _events.Enqueue("delete " + receipt);
                await context.Response.WriteAsync("{}");
                break;
            default:
                context.Response.StatusCode = 400;
                await context.Response.WriteAsync("{\"__type\":\"com.amazonaws.sqs#InvalidAction\",\"message\":\"unexpected\"}");
                break;
        }
    }

    /// <summary>SNS Query protocol: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html</summary>
    private async Task AnswerSnsAsync(HttpContext context, RecordedRequest request)
    {
        AssertSigned(request, "sns");
        var form = QueryHelpers(request.BodyText);
        context.Response.ContentType = "text/xml";
        Assert.Equal(("Publish", "2010-03-31"), (form["Action"], form["Version"]));
        if (_failPublishContaining is { } marker && form["Message"].Contains(marker, StringComparison.Ordinal))
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsync("<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Receiver</Type><Code>InternalError</Code><Message>Internal error</Message></Error><RequestId>r-1</RequestId></ErrorResponse>");
            return;
        }

        _published.Enqueue(form);
        var handle = _queue.FirstOrDefault(e => JsonDocument.Parse(e.Value.Body).RootElement.GetProperty("Message").GetString() == form["Message"]).Key;
        _events.Enqueue("publish " + handle);
        await context.Response.WriteAsync(
            "<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>" + Guid.NewGuid() +
            "</MessageId></PublishResult><ResponseMetadata><RequestId>r-2</RequestId></ResponseMetadata></PublishResponse>");
    }

    private static Dictionary<string, string> QueryHelpers(string form) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(form).ToDictionary(static p => p.Key, static p => p.Value.ToString(), StringComparer.Ordinal);
}
