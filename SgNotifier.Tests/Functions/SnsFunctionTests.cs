using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SgNotifier.Core.Sns;
using SgNotifier.Functions;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Functions;

public sealed class SnsFunctionTests
{
    private static async Task<(int Status, JsonElement Body)> PostAsync(SnsTestHost host, byte[] body, Action<HttpRequest>? configure = null, bool sendContentLength = true)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = "text/plain; charset=UTF-8";
        context.Request.Body = new MemoryStream(body);
        if (sendContentLength)
        {
            context.Request.ContentLength = body.Length;
        }

        configure?.Invoke(context.Request);
        var function = new SnsFunction(host.Handler, host.Services.GetRequiredService<ILogger<SnsFunction>>());
        var result = await function.RunAsync(context.Request, CancellationToken.None);
        return result switch
        {
            ContentResult content => (content.StatusCode!.Value, JsonDocument.Parse(content.Content!).RootElement),
            StatusCodeResult status => (status.StatusCode, default),
            _ => throw new InvalidOperationException(result.GetType().Name),
        };
    }

    private static Action<HttpRequest> SnsHeaders(GenuineMessages genuine, string? type = null) => request =>
    {
        var root = genuine.Json.RootElement;
        request.Headers["x-amz-sns-message-type"] = type ?? genuine.Type;
        request.Headers["x-amz-sns-message-id"] = root.GetProperty("MessageId").GetString();
        request.Headers["x-amz-sns-topic-arn"] = root.GetProperty("TopicArn").GetString();
    };

    [Theory]
    [MemberData(nameof(GenuineMessages.Names), MemberType = typeof(GenuineMessages))]
    public async Task GenuineMessage_WithItsHeaders_Is200(string name)
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named(name);
        host.SetClockTo(genuine.Timestamp);

        var (status, body) = await PostAsync(host, genuine.Bytes, SnsHeaders(genuine));

        Assert.Equal(200, status);
        Assert.NotEqual("rejected", body.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task TamperedMessage_Is403()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("notification-config-security-group-sigv1");
        host.SetClockTo(genuine.Timestamp);
        var message = genuine.Json.RootElement.GetProperty("Message").GetString()!.Replace("\"fromPort\":23", "\"fromPort\":24", StringComparison.Ordinal);

        var (status, body) = await PostAsync(host, genuine.With("Message", message), SnsHeaders(genuine));

        Assert.Equal(403, status);
        Assert.Equal("bad-signature", body.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task TopicNotAllowed_Is403_WithoutOutboundCalls()
    {
        using var host = new SnsTestHost(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = "arn:aws:sns:us-east-1:123456789012:other" });
        var genuine = GenuineMessages.Named("notification-config-security-group-sigv1");
        host.SetClockTo(genuine.Timestamp);

        var (status, body) = await PostAsync(host, genuine.Bytes, SnsHeaders(genuine));

        Assert.Equal(403, status);
        Assert.Equal("topic-not-allowed", body.GetProperty("reason").GetString());
        Assert.Empty(host.Certificates.Requests);
    }

    [Theory]
    [InlineData("not json", "invalid-json")]
    [InlineData("[1,2]", "invalid-json")]
    [InlineData("{\"Type\":\"Notification\"}", "missing-field")]
    public async Task MalformedBody_Is400(string body, string reason)
    {
        using var host = new SnsTestHost();
        var (status, json) = await PostAsync(host, Encoding.UTF8.GetBytes(body));
        Assert.Equal(400, status);
        Assert.Equal(reason, json.GetProperty("reason").GetString());
    }

    /// <summary>Issue 12: one byte of the Message string turned into invalid UTF-8 was answered 500.</summary>
    [Fact]
    public async Task InvalidUtf8InTheMessageString_Is400_NotA500()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("notification-config-security-group-sigv1");
        var body = (byte[])genuine.Bytes.Clone();
        var at = body.AsSpan().IndexOf("configurationItemDiff"u8);
        Assert.True(at > 0);
        body[at] = 0xC3; // a two-byte lead followed by ASCII

        var (status, json) = await PostAsync(host, body, SnsHeaders(genuine));

        Assert.Equal(400, status);
        Assert.Equal("invalid-utf8", json.GetProperty("reason").GetString());
        Assert.DoesNotContain(host.Logs.Collector.GetSnapshot(), static r => r.Level >= LogLevel.Error);
    }

    /// <summary>Kestrel reports a body shorter than its Content-Length, or bad chunked framing, as an IOException.</summary>
    [Fact]
    public async Task BodyThatFailsWhileBeingRead_Is400_NotA500()
    {
        using var host = new SnsTestHost();
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentLength = 1_000;
        context.Request.Body = new FailingStream(new Microsoft.AspNetCore.Http.BadHttpRequestException("Unexpected end of request content.", 400));
        var function = new SnsFunction(host.Handler, host.Services.GetRequiredService<ILogger<SnsFunction>>());

        var result = await function.RunAsync(context.Request, CancellationToken.None);

        var content = Assert.IsType<ContentResult>(result);
        Assert.Equal(400, content.StatusCode);
        Assert.Equal("unreadable-body", JsonDocument.Parse(content.Content!).RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task HeaderTypeDisagreeingWithBody_Is400()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        var (status, json) = await PostAsync(host, genuine.Bytes, SnsHeaders(genuine, "SubscriptionConfirmation"));
        Assert.Equal(400, status);
        Assert.Equal("type-mismatch", json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task RawDelivery_Is400()
    {
        using var host = new SnsTestHost();
        var (status, json) = await PostAsync(host, Encoding.UTF8.GetBytes("{\"configurationItem\":{}}"), r => r.Headers["x-amz-sns-rawdelivery"] = "true");
        Assert.Equal(400, status);
        Assert.Equal("raw-delivery", json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task DuplicateMessageKey_Is400()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        var body = Encoding.UTF8.GetString(genuine.Bytes).Replace("\"Message\"", "\"Message\" : \"evil\", \"Message\"", StringComparison.Ordinal);
        var (status, json) = await PostAsync(host, Encoding.UTF8.GetBytes(body), SnsHeaders(genuine));
        Assert.Equal(400, status);
        Assert.Equal("duplicate-key", json.GetProperty("reason").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BodyOverTheCap_Is413(bool sendContentLength)
    {
        using var host = new SnsTestHost();
        var big = Encoding.UTF8.GetBytes("{\"Message\":\"" + new string('a', SnsOptions.DefaultMaxBodyBytes) + "\"}");
        var (status, json) = await PostAsync(host, big, sendContentLength: sendContentLength);
        Assert.Equal(413, status);
        Assert.Equal("too-large", json.GetProperty("reason").GetString());

        // SNS does not retry a 4xx: the lost delivery is an error for the operator, not a warning.
        Assert.Contains(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 1050 && r.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task BodyExactlyAtTheCap_IsRead()
    {
        using var host = new SnsTestHost();
        var prefix = "{\"Type\":\"Notification\",\"Message\":\"";
        var body = Encoding.UTF8.GetBytes(prefix + new string('a', SnsOptions.DefaultMaxBodyBytes - prefix.Length - 2) + "\"}");
        Assert.Equal(SnsOptions.DefaultMaxBodyBytes, body.Length);
        var (status, _) = await PostAsync(host, body, sendContentLength: false);
        Assert.Equal(400, status);
    }

    [Fact]
    public async Task CertificateDownloadFailure_Is503()
    {
        using var host = new SnsTestHost(certificates: new StubHttpMessageHandler(_ => new HttpResponseMessage(HttpStatusCode.BadGateway)));
        var genuine = GenuineMessages.Named("notification-sigv2-us-east-2");
        host.SetClockTo(genuine.Timestamp);
        var (status, json) = await PostAsync(host, genuine.Bytes, SnsHeaders(genuine));
        Assert.Equal(503, status);
        Assert.Equal("cert-unavailable", json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task UnexpectedException_Is500_WithoutDetails()
    {
        using var host = new SnsTestHost(certificates: new StubHttpMessageHandler(HttpResponseMessage (_) => throw new InvalidOperationException("bug")));
        var genuine = GenuineMessages.Named("notification-sigv2-us-east-2");
        host.SetClockTo(genuine.Timestamp);
        var (status, _) = await PostAsync(host, genuine.Bytes, SnsHeaders(genuine));
        Assert.Equal(500, status);
        Assert.Contains(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 1099 && r.Level == LogLevel.Error);
    }

    [Fact]
    public async Task StaleGenuineMessage_Is403()
    {
        using var host = new SnsTestHost();
        host.Clock.SetUtcNow(DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var genuine = GenuineMessages.Named("notification-sigv2-us-east-2");
        var (status, json) = await PostAsync(host, genuine.Bytes, SnsHeaders(genuine));
        Assert.Equal(403, status);
        Assert.Equal("stale-message", json.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Logs_NeverContainTheMessageBody()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("notification-config-security-group-sigv1");
        host.SetClockTo(genuine.Timestamp);
        await PostAsync(host, genuine.Bytes, SnsHeaders(genuine));
        await PostAsync(host, genuine.With("Message", "tampered secret body"), SnsHeaders(genuine));

        var logs = host.Logs.Collector.GetSnapshot();
        Assert.NotEmpty(logs);
        Assert.All(logs, static r =>
        {
            Assert.DoesNotContain("configurationItem", r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("tampered secret body", r.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Signature", r.Message, StringComparison.Ordinal);
        });
    }

    /// <summary>A request body whose first read fails the way Kestrel's does.</summary>
    private sealed class FailingStream(IOException failure) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw failure;

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromException<int>(failure);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
