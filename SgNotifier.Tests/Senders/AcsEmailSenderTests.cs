using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SgNotifier.Core.Senders;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Senders;

public sealed class AcsEmailSenderTests
{
    private const string AccessKey = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";

    [Fact]
    public async Task Send_IsSignedShapedAccepted_AndPollsToSucceeded()
    {
        await using var stub = await StartAcsStubAsync(finalStatus: "Succeeded");
        using var host = new SenderTestHost(SenderTestHost.Acs(stub.BaseUri, AccessKey));
        var mail = SenderTestHost.Mail("owner@example.com", "Subject ✓", "123456789012/us-east-1/sg-0abc/42");

        var result = await host.Sender.SendAsync(mail, CancellationToken.None);

        Assert.Equal(SendResult.Sent(AcsEmailSender.OperationIdFor(mail.IdempotencyKey)), result);
        var send = stub.Requests.First();
        Assert.Equal("POST", send.Method);
        Assert.Equal("/emails:send?api-version=2025-09-01", send.PathAndQuery);
        Assert.Equal(result.ProviderMessageId, send.Headers["Operation-Id"]);
        Assert.Equal(result.ProviderMessageId, send.Headers["Repeatability-Request-Id"]);
        var firstSent = DateTimeOffset.ParseExact(send.Headers["Repeatability-First-Sent"], "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal);
        Assert.InRange(DateTimeOffset.UtcNow - firstSent, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Assert.EndsWith(" GMT", send.Headers["Repeatability-First-Sent"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(send.Body);
        var root = body.RootElement;
        Assert.Equal("DoNotReply@example.azurecomm.net", root.GetProperty("senderAddress").GetString());
        Assert.Equal("owner@example.com", root.GetProperty("recipients").GetProperty("to")[0].GetProperty("address").GetString());
        Assert.Equal("Subject ✓", root.GetProperty("content").GetProperty("subject").GetString());
        Assert.Equal("plain body ✓", root.GetProperty("content").GetProperty("plainText").GetString());
        Assert.Equal("<p>html body ✓</p>", root.GetProperty("content").GetProperty("html").GetString());
        Assert.Contains(stub.Requests, static r => r.Method == "GET" && r.PathAndQuery.StartsWith("/emails/operations/", StringComparison.Ordinal));
        Assert.Contains(host.Logs.GetSnapshot(), static r => r.Id.Id == 3010 && r.Message.Contains("Succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FailedOperation_IsStillSentButLoggedWithItsErrorCode()
    {
        await using var stub = await StartAcsStubAsync(finalStatus: "Failed");
        using var host = new SenderTestHost(SenderTestHost.Acs(stub.BaseUri, AccessKey));

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal(SendStatus.Sent, result.Status);
        Assert.Contains(host.Logs.GetSnapshot(), static r => r.Id.Id == 3011 && r.Message.Contains("EmailDroppedAllRecipientsSuppressed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SameIdempotencyKey_SendsTheSameOperationId()
    {
        await using var stub = await StartAcsStubAsync(finalStatus: "Succeeded");
        using var host = new SenderTestHost(SenderTestHost.Acs(stub.BaseUri, AccessKey));

        await host.Sender.SendAsync(SenderTestHost.Mail("a@example.com", "s", "key-1"), CancellationToken.None);
        await host.Sender.SendAsync(SenderTestHost.Mail("a@example.com", "s", "key-1"), CancellationToken.None);
        await host.Sender.SendAsync(SenderTestHost.Mail("a@example.com", "s", "key-2"), CancellationToken.None);

        var ids = stub.Requests.Where(static r => r.Method == "POST").Select(static r => r.Headers["Operation-Id"]).ToList();
        Assert.Equal(3, ids.Count);
        Assert.Equal(ids[0], ids[1]);
        Assert.NotEqual(ids[0], ids[2]);
        Assert.True(Guid.TryParse(ids[0], out var uuid));
        Assert.Equal(8, uuid.Version);
    }

    [Fact]
    public void OperationId_IsAStableUuidOfTheKey()
    {
        Assert.Equal(AcsEmailSender.OperationIdFor("k"), AcsEmailSender.OperationIdFor("k"));
        Assert.NotEqual(AcsEmailSender.OperationIdFor("k"), AcsEmailSender.OperationIdFor("K"));
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", AcsEmailSender.OperationIdFor("k"));
    }

    public static TheoryData<int, string?, string, SendStatus, string, string?, int> Failures() => new()
    {
        { 429, "TooManyRequests", "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}}", SendStatus.Transient, "TooManyRequests", "send-failed", 3 },
        { 503, null, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"busy\"}}", SendStatus.Transient, "ServiceUnavailable", "send-failed", 3 },
        { 500, null, "", SendStatus.Uncertain, "Http500", "send-uncertain", 1 },
        { 400, null, "{\"error\":{\"code\":\"InvalidSenderUserName\",\"message\":\"bad sender\"}}", SendStatus.Permanent, "InvalidSenderUserName", null, 1 },
        { 401, "Denied", "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"no\"}}", SendStatus.Transient, "Denied", "provider-auth-failed", 1 },
        { 403, null, "{\"error\":{\"code\":\"AuthorizationFailed\",\"message\":\"role assignment not yet effective\"}}", SendStatus.Transient, "AuthorizationFailed", "provider-auth-failed", 1 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task ProviderErrors_AreClassifiedWithTheirCode(int status, string? header, string body, SendStatus expected, string code, string? reason, int attempts)
    {
        await using var stub = await LoopbackHttpStub.StartAsync(async (context, _) =>
        {
            context.Response.StatusCode = status;
            if (header is not null)
            {
                context.Response.Headers["x-ms-error-code"] = header;
            }

            await context.Response.WriteAsync(body);
        });
        using var host = new SenderTestHost(SenderTestHost.Acs(stub.BaseUri, AccessKey));

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal(expected, result.Status);
        Assert.Equal(code, result.ErrorCode);
        Assert.Equal(reason, result.Reason);
        Assert.Equal(attempts, stub.Requests.Count);
        Assert.Equal(expected == SendStatus.Uncertain, result.Repeat is not null); // ACS re-executes a repeat of a 5xx
    }

    [Fact]
    public async Task SlowAnswerBeyondTheBudget_IsUncertain_AndItsRepeatIsAcceptedAsTheSameRequest()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.AnswerDelay = TimeSpan.FromSeconds(6);
        var settings = SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey);
        settings["Email:Retry:AttemptTimeout"] = "00:00:01";
        settings["Email:Retry:TotalTimeout"] = "00:00:03";
        using var host = new SenderTestHost(settings);
        var mail = SenderTestHost.Mail("owner@example.com", "s", "123456789012/us-east-1/sg-0abc/77");

        var first = await host.Sender.SendAsync(mail, CancellationToken.None);

        Assert.Equal(SendStatus.Uncertain, first.Status);
        Assert.Equal("Timeout", first.ErrorCode);
        Assert.NotNull(first.Repeat);
        Assert.Equal(1, first.Repeat.Attempt);
        Assert.Single(acs.Posts); // never retried inside the request

        // The redelivery (after the slow answer has come) repeats the very same request: ACS answers the original's 202.
        await Task.Delay(TimeSpan.FromSeconds(4));
        acs.AnswerDelay = TimeSpan.Zero;
        var repeated = await host.Sender.SendAsync(mail with { Repeat = first.Repeat }, CancellationToken.None);

        Assert.Equal(SendResult.Sent(AcsEmailSender.OperationIdFor(mail.IdempotencyKey)), repeated);
        Assert.Equal(1, acs.AcceptedMails);
        var posts = acs.Posts.ToList();
        Assert.Equal(2, posts.Count);
        Assert.Equal(posts[0].Headers["Repeatability-Request-Id"], posts[1].Headers["Repeatability-Request-Id"]);
        Assert.Equal(posts[0].Headers["Repeatability-First-Sent"], posts[1].Headers["Repeatability-First-Sent"]);
        Assert.Equal(posts[0].Headers["Operation-Id"], posts[1].Headers["Operation-Id"]);
    }

    [Fact]
    public async Task RepeatWhileTheOriginalIsStillRunning_StaysUncertainAndRepeatable()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.AnswerDelay = TimeSpan.FromSeconds(10);
        var settings = SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey);
        settings["Email:Retry:TotalTimeout"] = "00:00:05";
        using var host = new SenderTestHost(settings);
        var mail = SenderTestHost.Mail("owner@example.com", "s", "key-409");

        var first = await host.Sender.SendAsync(mail, CancellationToken.None);
        var repeated = await host.Sender.SendAsync(mail with { Repeat = first.Repeat }, CancellationToken.None);

        Assert.Equal(SendStatus.Uncertain, repeated.Status);
        Assert.Equal("Conflict", repeated.ErrorCode);
        Assert.Equal(first.Repeat, repeated.Repeat);
        Assert.Equal(1, acs.AcceptedMails);
    }

    [Fact]
    public async Task NextAttempt_SendsNewRequestIds_SoAnEarlierRefusalIsNeverReplayedToIt()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        using var host = new SenderTestHost(SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey));
        var mail = SenderTestHost.Mail("owner@example.com", "s", "key-attempts");

        var first = await host.Sender.SendAsync(mail, CancellationToken.None);
        var second = await host.Sender.SendAsync(mail with { Attempt = 2 }, CancellationToken.None);

        Assert.Equal(AcsEmailSender.OperationIdFor("key-attempts"), first.ProviderMessageId);
        Assert.Equal(AcsEmailSender.OperationIdFor("key-attempts#2"), second.ProviderMessageId);
    }

    [Fact]
    public async Task ThrottledWithARetryAfterThatFits_IsHonouredAndSendsOnce()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.ThrottleFirst = 1;
        acs.ThrottleRetryAfter = "1";
        using var host = new SenderTestHost(SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal(SendStatus.Sent, result.Status);
        Assert.Equal(2, acs.Posts.Count());
        Assert.Equal(1, acs.AcceptedMails);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), clock.Elapsed.ToString());
    }

    [Fact]
    public async Task ThrottledWithARetryAfterBeyondTheBudget_IsTransientAtOnce()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.ThrottleFirst = 10;
        acs.ThrottleRetryAfter = "30";
        using var host = new SenderTestHost(SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey));

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal((SendStatus.Transient, "TooManyRequests"), (result.Status, result.ErrorCode));
        Assert.Single(acs.Posts);
        Assert.Equal(0, acs.AcceptedMails);
    }

    [Fact]
    public async Task StatusThatNeedsLongerThanThePollBudget_IsSentNow_AndCheckedInTheBackground()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.AcceptedRetryAfter = "2";
        var settings = SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey);
        settings["Email:Acs:PollBudget"] = "00:00:01";
        using var host = new SenderTestHost(settings);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var result = await host.Sender.SendAsync(SenderTestHost.Mail("owner@example.com", "s"), CancellationToken.None);

        Assert.Equal(SendStatus.Sent, result.Status);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), clock.Elapsed.ToString()); // did not wait for the retry-after
        Assert.Contains(host.Logs.GetSnapshot(), static r => r.Id.Id == 3037);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!host.Logs.GetSnapshot().Any(static r => r.Id.Id == 3010) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 3010 && r.Message.Contains(result.ProviderMessageId!, StringComparison.Ordinal));
        Assert.Equal(2, acs.Requests.Count(static r => r.Method == "GET")); // Running, then Succeeded: after each retry-after
    }

    [Fact]
    public async Task RepeatOutsideTheTrackedWindow_OfAnAcceptedOperation_IsSentNotRejected()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        using var host = new SenderTestHost(SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey));
        var mail = SenderTestHost.Mail("owner@example.com", "s", "key-old");
        acs.KnowOperation(AcsEmailSender.OperationIdFor(mail.IdempotencyKey));

        var result = await host.Sender.SendAsync(
            mail with { Attempt = 2, Repeat = new UncertainSend(1, DateTimeOffset.UtcNow.AddMinutes(-20)) }, CancellationToken.None);

        Assert.Equal(SendResult.Sent(AcsEmailSender.OperationIdFor(mail.IdempotencyKey)), result);
        Assert.Equal(0, acs.AcceptedMails);
        Assert.Contains(host.Logs.GetSnapshot(), static r => r.Id.Id == 3035);
    }

    [Fact]
    public async Task RepeatOutsideTheTrackedWindow_OfAnOperationThatNeverArrived_SendsAfreshOnce()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        using var host = new SenderTestHost(SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey));
        var mail = SenderTestHost.Mail("owner@example.com", "s", "key-lost");

        var result = await host.Sender.SendAsync(
            mail with { Attempt = 3, Repeat = new UncertainSend(1, DateTimeOffset.UtcNow.AddMinutes(-20)) }, CancellationToken.None);

        Assert.Equal(SendResult.Sent(AcsEmailSender.OperationIdFor("key-lost#3")), result);
        Assert.Equal(1, acs.AcceptedMails);
        Assert.Contains(host.Logs.GetSnapshot(), static r => r.Id.Id == 3036);
    }

    [Fact]
    public async Task RepeatedOperationIdRefusedWith4xx_OfAMailedChange_IsSentNotRejected()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        using var host = new SenderTestHost(SenderTestHost.Acs(acs.BaseUri, AcsServiceStub.AccessKey));
        var mail = SenderTestHost.Mail("owner@example.com", "s", "key-dup");
        var first = await host.Sender.SendAsync(mail, CancellationToken.None);
        acs.RefuseRepeatsWith = 400;

        var repeated = await host.Sender.SendAsync(
            mail with { Attempt = 2, Repeat = new UncertainSend(1, DateTimeOffset.UtcNow) }, CancellationToken.None);

        Assert.Equal(SendStatus.Sent, first.Status);
        Assert.Equal(SendResult.Sent(first.ProviderMessageId!), repeated);
        Assert.Equal(1, acs.AcceptedMails);
    }

    /// <summary>
    /// ACS as far as the sender can tell: every request must carry a valid HMAC (recomputed here from the received
    /// method, path, Host, x-ms-date and body) or gets 401; a send answers 202 with Operation-Location, the poll
    /// answers Running once, then <paramref name="finalStatus"/>.
    /// </summary>
    private static Task<LoopbackHttpStub> StartAcsStubAsync(string finalStatus)
    {
        var key = Convert.FromBase64String(AccessKey);
        var polls = 0;
        LoopbackHttpStub? self = null;
        var started = LoopbackHttpStub.StartAsync(async (context, request) =>
        {
            var hash = AcsHmacAuthenticationPolicy.ContentHash(request.Body);
            var expected = AcsHmacAuthenticationPolicy.Authorization(
                request.Method, request.PathAndQuery, request.Headers["x-ms-date"], request.Headers["Host"], hash, key);
            if (request.Headers.GetValueOrDefault("x-ms-content-sha256") != hash || request.Headers.GetValueOrDefault("Authorization") != expected)
            {
                context.Response.StatusCode = 401;
                context.Response.Headers["x-ms-error-code"] = "Denied";
                return;
            }

            if (request.Method == "POST")
            {
                var id = request.Headers["Operation-Id"];
                context.Response.StatusCode = 202;
                context.Response.Headers["Operation-Location"] = new Uri(self!.BaseUri, $"emails/operations/{id}?api-version=2025-09-01").AbsoluteUri;
                context.Response.Headers["retry-after"] = "0";
                await context.Response.WriteAsJsonAsync(new { id, status = "Running" });
                return;
            }

            var operation = request.PathAndQuery.Split('/', '?')[3];
            context.Response.Headers["retry-after"] = "0";
            if (Interlocked.Increment(ref polls) == 1)
            {
                await context.Response.WriteAsJsonAsync(new { id = operation, status = "Running" });
            }
            else if (finalStatus == "Succeeded")
            {
                await context.Response.WriteAsJsonAsync(new { id = operation, status = finalStatus });
            }
            else
            {
                await context.Response.WriteAsJsonAsync(new
                {
                    id = operation, status = finalStatus,
                    error = new { code = "EmailDroppedAllRecipientsSuppressed", message = "suppressed" },
                });
            }
        });
        return started.ContinueWith(t => self = t.Result, TaskScheduler.Default);
    }
}
