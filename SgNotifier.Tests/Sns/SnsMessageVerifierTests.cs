using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Sns;

public sealed class SnsMessageVerifierTests
{
    private const string Topic = "arn:aws:sns:eu-west-1:123456789012:sg-changes";

    private static Dictionary<string, string?> AllowTopic(string topic = Topic) => new() { ["Sns:AllowedTopicArns:0"] = topic };

    private static async Task<SnsVerificationResult> VerifyAsync(SnsTestHost host, byte[] body)
    {
        var message = SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true).Message!;
        return await host.Services.GetRequiredService<SnsMessageVerifier>().VerifyAsync(message, CancellationToken.None);
    }

    [Theory]
    [MemberData(nameof(GenuineMessages.Names), MemberType = typeof(GenuineMessages))]
    public async Task GenuineMessage_VerifiesAtItsOwnTime(string name)
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named(name);
        host.SetClockTo(genuine.Timestamp);

        Assert.Equal(SnsVerificationResult.Verified, await VerifyAsync(host, genuine.Bytes));
        Assert.Single(host.Certificates.Requests);
    }

    [Fact]
    public async Task TopicNotAllowed_FailsWithoutAnyOutboundRequest()
    {
        using var host = new SnsTestHost(AllowTopic());
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);

        Assert.Equal(SnsVerificationResult.TopicNotAllowed, await VerifyAsync(host, genuine.Bytes));
        Assert.Empty(host.Certificates.Requests);
        Assert.Empty(host.Confirm.Requests);
    }

    [Theory]
    [InlineData("http://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    [InlineData("https://sns.eu-west-1.amazonaws.com.evil.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    [InlineData("https://evil.com/sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    [InlineData("https://x@sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    [InlineData("https://sns.eu-west-1.amazonaws.com:443/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    [InlineData("https://s3.eu-west-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    [InlineData("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    [InlineData("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem?x")]
    [InlineData("https://sns.eu-west-1.amazonaws.com/a/../SimpleNotificationService-0123456789abcdef0123456789abcdef.pem")]
    public async Task CertUrlTrick_FailsBeforeAnyDownload(string certUrl)
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var signer = new TestSnsSigner(now.AddDays(-1), now.AddDays(30));
        using var host = new SnsTestHost(AllowTopic(), certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(now);
        var message = SnsMessageParser.Parse(signer.Notification(Topic, "{}", now), SnsRequestHeaders.None, true).Message!;
        var forged = message with { SigningCertUrl = certUrl };
        var body = TestSnsSigner.Serialize(forged with { Signature = signer.Sign(forged) });

        Assert.Equal(SnsVerificationResult.UntrustedCertUrl, await VerifyAsync(host, body));
        Assert.Empty(host.Certificates.Requests);
    }

    [Fact]
    public async Task FreshlySignedMessage_FromThePinnedUrl_Verifies()
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var signer = new TestSnsSigner(now.AddDays(-1), now.AddDays(30));
        using var host = new SnsTestHost(AllowTopic(), certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(now);

        Assert.Equal(SnsVerificationResult.Verified, await VerifyAsync(host, signer.Notification(Topic, "{}", now)));
        Assert.Equal(SnsVerificationResult.Verified, await VerifyAsync(host, signer.Notification(Topic, "{}", now, signatureVersion: "1")));
        Assert.Equal(new Uri(signer.CertificateUrl("eu-west-1")), Assert.Single(host.Certificates.Requests));
    }

    [Theory]
    [InlineData("3")]
    [InlineData("0")]
    [InlineData("SHA256")]
    public async Task UnsupportedSignatureVersion_FailsWithoutDownload(string version)
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var signer = new TestSnsSigner(now.AddDays(-1), now.AddDays(30));
        using var host = new SnsTestHost(AllowTopic(), certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(now);

        Assert.Equal(SnsVerificationResult.UnsupportedSignatureVersion, await VerifyAsync(host, signer.Notification(Topic, "{}", now, signatureVersion: version)));
        Assert.Empty(host.Certificates.Requests);
    }

    [Theory]
    [InlineData(-66, SnsVerificationResult.StaleMessage)]
    [InlineData(-24 * 60, SnsVerificationResult.StaleMessage)]
    [InlineData(-64, SnsVerificationResult.Verified)]
    [InlineData(4, SnsVerificationResult.Verified)]
    [InlineData(6, SnsVerificationResult.FutureMessage)]
    public async Task TimestampOutsideTheWindow_Fails(int minutesFromNow, SnsVerificationResult expected)
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var signer = new TestSnsSigner(now.AddDays(-2), now.AddDays(30));
        using var host = new SnsTestHost(AllowTopic(), certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(now);

        Assert.Equal(expected, await VerifyAsync(host, signer.Notification(Topic, "{}", now.AddMinutes(minutesFromNow))));
    }

    /// <summary><see cref="SnsVerificationMode.IgnoreAge"/> (dead-letter replay) drops Sns:MaxMessageAge and nothing else.</summary>
    [Theory]
    [InlineData(-24 * 60, "{}", SnsVerificationResult.Verified)]
    [InlineData(-24 * 60 * 20, "{}", SnsVerificationResult.CertExpired)]
    [InlineData(6, "{}", SnsVerificationResult.FutureMessage)]
    [InlineData(-24 * 60, "forged", SnsVerificationResult.BadSignature)]
    [InlineData(-24 * 60, "other-topic", SnsVerificationResult.TopicNotAllowed)]
    public async Task ReplayModeIgnoringAge_KeepsEveryOtherCheck(int minutesFromNow, string variant, SnsVerificationResult expected)
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var signer = new TestSnsSigner(now.AddDays(-2), now.AddDays(30));
        using var host = new SnsTestHost(AllowTopic(), certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(now);
        var body = signer.Notification(variant == "other-topic" ? "arn:aws:sns:eu-west-1:123456789012:other" : Topic, "{}", now.AddMinutes(minutesFromNow));
        var message = SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true).Message!;
        if (variant == "forged")
        {
            message = message with { Message = "{\"forged\":true}" };
        }

        var verifier = host.Services.GetRequiredService<SnsMessageVerifier>();
        Assert.Equal(expected, await verifier.VerifyAsync(message, SnsVerificationMode.IgnoreAge, CancellationToken.None));
        if (minutesFromNow == -24 * 60 && variant == "{}")
        {
            Assert.Equal(SnsVerificationResult.StaleMessage, await verifier.VerifyAsync(message, CancellationToken.None));
        }
    }

    [Fact]
    public async Task GenuineMessage_TodayIsStale()
    {
        using var host = new SnsTestHost();
        host.Clock.SetUtcNow(DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(SnsVerificationResult.StaleMessage, await VerifyAsync(host, GenuineMessages.Named("notification-sigv2-us-east-2").Bytes));
    }

    [Theory]
    [InlineData("2026-11-26 12:00:00")]
    [InlineData("2026-11-26T12:00:00+02:00")]
    [InlineData("yesterday")]
    public async Task UnreadableTimestamp_IsStale(string timestamp)
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var signer = new TestSnsSigner(now.AddDays(-1), now.AddDays(30));
        using var host = new SnsTestHost(AllowTopic(), certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(now);
        var message = SnsMessageParser.Parse(signer.Notification(Topic, "{}", now), SnsRequestHeaders.None, true).Message! with { Timestamp = timestamp };
        var body = TestSnsSigner.Serialize(message with { Signature = signer.Sign(message) });

        Assert.Equal(SnsVerificationResult.StaleMessage, await VerifyAsync(host, body));
    }

    [Fact]
    public async Task CertificateNotValidAtTimestamp_Fails()
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var expired = new TestSnsSigner(now.AddDays(-30), now.AddMinutes(-10));
        using var host = new SnsTestHost(AllowTopic(), certificates: expired.CertificateServer());
        host.Clock.SetUtcNow(now);
        Assert.Equal(SnsVerificationResult.CertExpired, await VerifyAsync(host, expired.Notification(Topic, "{}", now)));

        using var notYet = new TestSnsSigner(now.AddMinutes(10), now.AddDays(30), "SimpleNotificationService-ffff.pem");
        using var host2 = new SnsTestHost(AllowTopic(), certificates: notYet.CertificateServer());
        host2.Clock.SetUtcNow(now);
        Assert.Equal(SnsVerificationResult.CertExpired, await VerifyAsync(host2, notYet.Notification(Topic, "{}", now)));
    }

    [Fact]
    public async Task MessageSignedByAnotherKey_AtThePinnedUrl_Fails()
    {
        var now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        using var served = new TestSnsSigner(now.AddDays(-1), now.AddDays(30));
        using var attacker = new TestSnsSigner(now.AddDays(-1), now.AddDays(30));
        using var host = new SnsTestHost(AllowTopic(), certificates: served.CertificateServer());
        host.Clock.SetUtcNow(now);

        Assert.Equal(SnsVerificationResult.BadSignature, await VerifyAsync(host, attacker.Notification(Topic, "{}", now)));
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, SnsVerificationResult.CertUnavailable)]
    [InlineData(HttpStatusCode.ServiceUnavailable, SnsVerificationResult.CertUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests, SnsVerificationResult.CertUnavailable)]
    [InlineData(HttpStatusCode.NotFound, SnsVerificationResult.BadCertificate)]
    [InlineData(HttpStatusCode.Forbidden, SnsVerificationResult.BadCertificate)]
    [InlineData(HttpStatusCode.MovedPermanently, SnsVerificationResult.BadCertificate)]
    [InlineData(HttpStatusCode.Found, SnsVerificationResult.BadCertificate)]
    public async Task CertificateServerFailure_IsClassified(HttpStatusCode status, SnsVerificationResult expected)
    {
        var certificates = new StubHttpMessageHandler(_ =>
        {
            var response = new HttpResponseMessage(status);
            response.Headers.Location = new Uri("https://evil.example/cert.pem");
            return response;
        });
        using var host = new SnsTestHost(certificates: certificates);
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);

        Assert.Equal(expected, await VerifyAsync(host, genuine.Bytes));
        Assert.All(host.Certificates.Requests, static uri => Assert.Equal("sns.us-east-2.amazonaws.com", uri.Host));
    }

    [Fact]
    public async Task NetworkFailure_IsUnavailable_RememberedBriefly_ThenDownloadedAgain()
    {
        var fail = true;
        var certificates = new StubHttpMessageHandler(request =>
        {
            if (fail)
            {
                throw new HttpRequestException("connection refused", null, null);
            }

            return StubHttpMessageHandler.ServingTestCertificates().Respond(request);
        });
        using var host = new SnsTestHost(certificates: certificates);
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);

        Assert.Equal(SnsVerificationResult.CertUnavailable, await VerifyAsync(host, genuine.Bytes));
        fail = false;
        Assert.Equal(SnsVerificationResult.CertUnavailable, await VerifyAsync(host, genuine.Bytes));
        Assert.Single(host.Certificates.Requests);

        host.Clock.Advance(SigningCertificateCache.FailureCacheDuration);
        Assert.Equal(SnsVerificationResult.Verified, await VerifyAsync(host, genuine.Bytes));
        Assert.Equal(2, host.Certificates.Requests.Count);
    }

    [Fact]
    public async Task InventedCertificateNames_CostAtMostTheDownloadBudgetPerMinute()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);
        var text = System.Text.Encoding.UTF8.GetString(genuine.Bytes);
        var certUrl = System.Text.Json.JsonDocument.Parse(genuine.Bytes).RootElement.GetProperty("SigningCertURL").GetString()!;

        var results = new List<SnsVerificationResult>();
        for (var i = 0; i < SigningCertificateCache.MaxDownloadsPerMinute + 10; i++)
        {
            var invented = certUrl[..certUrl.LastIndexOf('-')] + "-" + Guid.NewGuid().ToString("N") + ".pem";
            results.Add(await VerifyAsync(host, System.Text.Encoding.UTF8.GetBytes(text.Replace(certUrl, invented, StringComparison.Ordinal))));
        }

        Assert.Equal(SigningCertificateCache.MaxDownloadsPerMinute, host.Certificates.Requests.Count);
        Assert.Equal(10, results.Count(static r => r == SnsVerificationResult.CertUnavailable));
        Assert.Contains(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 1052);

        // The next minute has a new budget, and a genuine certificate is fetched as before.
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(SnsVerificationResult.Verified, await VerifyAsync(host, genuine.Bytes));
    }

    [Fact]
    public async Task SlowCertificateServer_TimesOutAsUnavailable()
    {
        var certificates = new StubHttpMessageHandler(async (request, cancellationToken) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var host = new SnsTestHost(new Dictionary<string, string?>(SnsTestHost.AllowAllGenuineTopics()) { ["Sns:CertificateDownloadTimeout"] = "00:00:01" }, certificates: certificates);
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(SnsVerificationResult.CertUnavailable, await VerifyAsync(host, genuine.Bytes));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(20));
    }

    [Theory]
    [InlineData(20 * 1024)]
    [InlineData(SigningCertificateCache.MaxCertificateBytes + 1)]
    public async Task OversizedCertificateResponse_IsBadCertificate(int size)
    {
        var certificates = new StubHttpMessageHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(new byte[size])) });
        using var host = new SnsTestHost(certificates: certificates);
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);

        Assert.Equal(SnsVerificationResult.BadCertificate, await VerifyAsync(host, genuine.Bytes));
    }

    [Fact]
    public async Task NotAPem_IsBadCertificate()
    {
        var certificates = new StubHttpMessageHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("<html>hello</html>") });
        using var host = new SnsTestHost(certificates: certificates);
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);

        Assert.Equal(SnsVerificationResult.BadCertificate, await VerifyAsync(host, genuine.Bytes));
    }

    [Fact]
    public async Task Certificate_IsDownloadedOnce_ForConcurrentAndRepeatedMessages()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => VerifyAsync(host, genuine.Bytes)));
        Assert.All(results, static r => Assert.Equal(SnsVerificationResult.Verified, r));
        Assert.Equal(SnsVerificationResult.Verified, await VerifyAsync(host, GenuineMessages.Named("notification-sigv2-us-east-2").Bytes));
        Assert.Single(host.Certificates.Requests);
    }

    [Fact]
    public async Task CachedCertificate_IsDownloadedAgainAfterItsCacheDuration()
    {
        using var host = new SnsTestHost(new Dictionary<string, string?>(SnsTestHost.AllowAllGenuineTopics()) { ["Sns:MaxMessageAge"] = "3.00:00:00", ["Sns:CertificateCacheDuration"] = "01:00:00" });
        var genuine = GenuineMessages.Named("notification-sigv1-us-east-2");
        host.SetClockTo(genuine.Timestamp);
        await VerifyAsync(host, genuine.Bytes);
        host.Clock.Advance(TimeSpan.FromMinutes(59));
        await VerifyAsync(host, genuine.Bytes);
        Assert.Single(host.Certificates.Requests);

        host.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(SnsVerificationResult.Verified, await VerifyAsync(host, genuine.Bytes));
        Assert.Equal(2, host.Certificates.Requests.Count);
    }

    [Fact]
    public void CertificateClient_FollowsNoRedirects()
    {
        var services = new ServiceCollection();
        services.AddSgNotifierForTests();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpMessageHandlerFactory>();
        foreach (var name in new[] { SigningCertificateCache.HttpClientName, SnsSubscriptionConfirmer.HttpClientName })
        {
            HttpMessageHandler? handler = factory.CreateHandler(name);
            while (handler is DelegatingHandler delegating)
            {
                handler = delegating.InnerHandler;
            }

            var primary = Assert.IsType<SocketsHttpHandler>(handler);
            Assert.False(primary.AllowAutoRedirect);
        }
    }
}
