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
        Assert.Equal("/emails:send?api-version=2023-03-31", send.PathAndQuery);
        Assert.Equal(result.ProviderMessageId, send.Headers["Operation-Id"]);
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

    public static TheoryData<int, string?, string, SendStatus, string, int> Failures() => new()
    {
        { 429, "TooManyRequests", "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}}", SendStatus.Transient, "TooManyRequests", 3 },
        { 500, null, "", SendStatus.Transient, "Http500", 3 },
        { 503, null, "{\"error\":{\"code\":\"ServiceUnavailable\",\"message\":\"busy\"}}", SendStatus.Transient, "ServiceUnavailable", 3 },
        { 400, null, "{\"error\":{\"code\":\"InvalidSenderUserName\",\"message\":\"bad sender\"}}", SendStatus.Permanent, "InvalidSenderUserName", 1 },
        { 401, "Denied", "{\"error\":{\"code\":\"Unauthorized\",\"message\":\"no\"}}", SendStatus.Permanent, "Denied", 1 },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task ProviderErrors_AreClassifiedWithTheirCode(int status, string? header, string body, SendStatus expected, string code, int attempts)
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
        Assert.Equal(attempts, stub.Requests.Count);
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
                context.Response.Headers["Operation-Location"] = new Uri(self!.BaseUri, $"emails/operations/{id}?api-version=2023-03-31").AbsoluteUri;
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
