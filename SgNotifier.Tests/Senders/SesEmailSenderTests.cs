using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SgNotifier.Core.Senders;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Senders;

public sealed class SesEmailSenderTests
{
    [Fact]
    public async Task SentMail_AppearsInTheEmulatorStoreWithFromToSubjectAndBothBodies()
    {
        var ses = await SharedEmulators.SesUrlAsync();
        var to = $"ses-{Guid.NewGuid():N}@example.com";
        using var host = new SenderTestHost(SenderTestHost.Ses(ses));

        var result = await host.Sender.SendAsync(SenderTestHost.Mail(to, "[SG change] emulator ✓ " + to), CancellationToken.None);

        Assert.Equal(SendStatus.Sent, result.Status);
        using var http = new HttpClient();
        using var store = JsonDocument.Parse(await http.GetStringAsync(new Uri(ses, "/store")));
        var mail = store.RootElement.GetProperty("emails").EnumerateArray()
            .Single(e => e.GetProperty("destination").GetProperty("to").EnumerateArray().Any(a => a.GetString() == to));
        Assert.Equal(result.ProviderMessageId, mail.GetProperty("messageId").GetString());
        Assert.Equal("sg-alerts@example.com", mail.GetProperty("from").GetString());
        Assert.Equal("[SG change] emulator ✓ " + to, mail.GetProperty("subject").GetString());
        Assert.Equal("plain body ✓", mail.GetProperty("body").GetProperty("text").GetString());
        Assert.Equal("<p>html body ✓</p>", mail.GetProperty("body").GetProperty("html").GetString());
    }

    [Fact]
    public async Task Request_IsSesV2SimpleContentSignedWithSigV4ForSes()
    {
        await using var stub = await LoopbackHttpStub.StartAsync(static (context, _) =>
            context.Response.WriteAsync("{\"MessageId\":\"0100-abc\"}"));
        var settings = SenderTestHost.Ses(stub.BaseUri);
        settings["Email:Ses:ConfigurationSetName"] = "sg-notifier";
        using var host = new SenderTestHost(settings);

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "Subject"), CancellationToken.None);

        Assert.Equal(SendResult.Sent("0100-abc"), result);
        var request = Assert.Single(stub.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v2/email/outbound-emails", request.PathAndQuery);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Matches(@"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/us-east-1/ses/aws4_request, SignedHeaders=[a-z0-9;-]*host;[a-z0-9;-]*x-amz-date[a-z0-9;-]*, Signature=[0-9a-f]{64}$",
            request.Headers["Authorization"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(request.Body)), request.Headers["x-amz-content-sha256"]);
        using var body = JsonDocument.Parse(request.Body);
        var root = body.RootElement;
        Assert.Equal("sg-alerts@example.com", root.GetProperty("FromEmailAddress").GetString());
        Assert.Equal("owner@example.com", root.GetProperty("Destination").GetProperty("ToAddresses")[0].GetString());
        var simple = root.GetProperty("Content").GetProperty("Simple");
        Assert.Equal("Subject", simple.GetProperty("Subject").GetProperty("Data").GetString());
        Assert.Equal("UTF-8", simple.GetProperty("Subject").GetProperty("Charset").GetString());
        Assert.Equal("plain body ✓", simple.GetProperty("Body").GetProperty("Text").GetProperty("Data").GetString());
        Assert.Equal("<p>html body ✓</p>", simple.GetProperty("Body").GetProperty("Html").GetProperty("Data").GetString());
        Assert.Equal("sg-notifier", root.GetProperty("ConfigurationSetName").GetString());
    }

    public static TheoryData<int, string?, string, SendStatus, string, int> Failures() => new()
    {
        // status, x-amzn-ErrorType header, body, expected status, expected code, expected attempts (1 + 2 retries for transient HTTP)
        { 429, "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.sesv2/", "{\"message\":\"Too many requests\"}", SendStatus.Transient, "TooManyRequestsException", 3 },
        { 500, null, "", SendStatus.Transient, "Http500", 3 },
        { 503, null, "{\"__type\":\"com.amazonaws.sesv2#ServiceUnavailable\",\"message\":\"busy\"}", SendStatus.Transient, "ServiceUnavailable", 3 },
        { 400, null, "{\"__type\":\"com.amazonaws.sesv2#LimitExceededException\",\"message\":\"Maximum sending rate exceeded.\"}", SendStatus.Transient, "LimitExceededException", 1 },
        { 400, null, "{\"__type\":\"com.amazonaws.sesv2#MessageRejected\",\"message\":\"Email address is not verified.\"}", SendStatus.Permanent, "MessageRejected", 1 },
        { 400, "MailFromDomainNotVerifiedException:http://internal.amazon.com/coral/com.amazonaws.sesv2/", "{\"message\":\"not verified\"}", SendStatus.Permanent, "MailFromDomainNotVerifiedException", 1 },
        { 400, null, "{\"code\":\"AccountSuspendedException\",\"message\":\"suspended\"}", SendStatus.Permanent, "AccountSuspendedException", 1 },
        { 400, null, "{\"__type\":\"BadRequestException\",\"message\":\"bad\"}", SendStatus.Permanent, "BadRequestException", 1 },
        { 403, null, "{\"message\":\"The security token included in the request is invalid.\"}", SendStatus.Permanent, "Http403", 1 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task ProviderErrors_AreClassifiedWithTheirCodeAndRetriedOnlyWhenTransient(
        int status, string? errorType, string body, SendStatus expected, string code, int attempts)
    {
        await using var stub = await LoopbackHttpStub.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = status;
            if (errorType is not null)
            {
                context.Response.Headers["x-amzn-ErrorType"] = errorType;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });
        using var host = new SenderTestHost(SenderTestHost.Ses(stub.BaseUri));

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal(expected, result.Status);
        Assert.Equal(code, result.ErrorCode);
        Assert.Equal(attempts, stub.Requests.Count);
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == (expected == SendStatus.Permanent ? 3001 : 3002));
    }

    [Fact]
    public async Task SlowProvider_IsTransientTimeoutWithinTheTotalBudget()
    {
        await using var stub = await LoopbackHttpStub.StartAsync(static async (context, _) =>
            await Task.Delay(TimeSpan.FromSeconds(20), context.RequestAborted));
        var settings = SenderTestHost.Ses(stub.BaseUri);
        settings["Email:Retry:AttemptTimeout"] = "00:00:01";
        settings["Email:Retry:TotalTimeout"] = "00:00:04";
        using var host = new SenderTestHost(settings);
        var clock = Stopwatch.StartNew();

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal(SendStatus.Transient, result.Status);
        Assert.Equal("Timeout", result.ErrorCode);
        // Never past the total budget (4 s), whatever the load: SNS gives up on the request at 15 s.
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4) + TimeSpan.FromSeconds(2));
        Assert.InRange(stub.Requests.Count, 2, 3);
    }

    [Fact]
    public async Task RefusedConnection_IsTransientAfterBoundedRetries()
    {
        var nobody = new Uri($"http://127.0.0.1:{EmulatorProcess.FreePort()}/");
        using var host = new SenderTestHost(SenderTestHost.Ses(nobody));
        var clock = Stopwatch.StartNew();

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal(SendStatus.Transient, result.Status);
        Assert.Equal("ConnectionFailed", result.ErrorCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(12), clock.Elapsed.ToString()); // within Email:Retry:TotalTimeout
    }

    [Fact]
    public async Task EmulatorDown_IsTransientAndBackUp_Delivers()
    {
        await using var ses = await EmulatorProcess.StartSesAsync();
        using var host = new SenderTestHost(SenderTestHost.Ses(ses.BaseUri));
        var to = $"fault-{Guid.NewGuid():N}@example.com";

        Assert.Equal(SendStatus.Sent, (await host.Sender.SendAsync(SenderTestHost.Mail(to, "before"), CancellationToken.None)).Status);
        await ses.StopAsync();
        var down = await host.Sender.SendAsync(SenderTestHost.Mail(to, "down"), CancellationToken.None);
        await ses.RestartAsync();
        var after = await host.Sender.SendAsync(SenderTestHost.Mail(to, "after"), CancellationToken.None);

        Assert.Equal(SendStatus.Transient, down.Status);
        Assert.Equal("ConnectionFailed", down.ErrorCode);
        Assert.Equal(SendStatus.Sent, after.Status);
    }

    [Fact]
    public async Task InformationLogs_MaskRecipientsAndNeverCarryBodies()
    {
        await using var stub = await LoopbackHttpStub.StartAsync(static (context, _) =>
            context.Response.WriteAsync("{\"MessageId\":\"m-1\"}"));
        using var host = new SenderTestHost(SenderTestHost.Ses(stub.BaseUri));

        await host.Sender.SendAsync(SenderTestHost.Mail("dana.owner@example.com", "Subject"), CancellationToken.None);

        var logs = string.Join("\n", host.Logs.GetSnapshot().Select(static r => r.Message));
        Assert.Contains("d***@example.com", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("dana.owner", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("body", logs, StringComparison.Ordinal);
        Assert.DoesNotContain("EXAMPLEKEY", logs, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("get-vanilla")]
    [InlineData("get-vanilla-query-order-key")]
    [InlineData("post-vanilla")]
    [InlineData("post-header-key-sort")]
    public async Task SigningHandler_AgreesWithTheSigV4TestSuite(string name)
    {
        var vector = SigV4Vector.Load(name);
        // The test's own HMAC chain must first reproduce the suite's string to sign and signature exactly.
        Assert.Equal(vector.StringToSign, SigV4Vector.ComputeStringToSign(vector.CanonicalRequest));
        Assert.Equal(vector.Authorization, SigV4Vector.ComputeAuthorization(vector.CanonicalRequest));

        var signed = await SigV4Vector.SignWithAwsSdkAsync(vector);

        // AWSSDK always signs x-amz-content-sha256 (the SHA-256 of the empty body here), which the suite's requests do not
        // carry. So the SDK's header must equal the suite's canonical request with exactly that one header added, signed
        // by the chain proven above: same credential scope, same canonical path, query order and header sorting.
        Assert.Equal(SigV4Vector.EmptyBodySha256, signed.ContentSha256);
        Assert.Equal("20150830T123600Z", signed.Date);
        Assert.Equal(SigV4Vector.ComputeAuthorization(SigV4Vector.WithContentSha256(vector.CanonicalRequest)), signed.Authorization);
        Assert.NotEqual(vector.Authorization, signed.Authorization);
    }
}
