using System.Net;
using SgNotifier.Core;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Sns;

public sealed class SnsSubscriptionConfirmerTests
{
    private const string Topic = "arn:aws:sns:eu-west-1:123456789012:sg-changes";
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-26T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task GenuineConfirmation_CallsConfirmSubscriptionOnTheTopicRegionOnly()
    {
        using var host = new SnsTestHost();
        var genuine = GenuineMessages.Named("subscription-confirmation-sigv1");
        host.SetClockTo(genuine.Timestamp);

        var result = await host.Handler.HandleAsync(new MemoryStream(genuine.Bytes), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.SubscriptionConfirmation, result.Outcome);
        Assert.Equal(SnsReasons.SubscriptionConfirmed, result.Reason);
        Assert.Equal(200, result.HttpStatus);
        var call = Assert.Single(host.Confirm.Requests);
        Assert.Equal("https", call.Scheme);
        Assert.Equal("sns.us-east-1.amazonaws.com", call.Host);
        Assert.True(call.IsDefaultPort);
        var query = System.Web.HttpUtility.ParseQueryString(call.Query);
        Assert.Equal("ConfirmSubscription", query["Action"]);
        Assert.Equal(genuine.Json.RootElement.GetProperty("TopicArn").GetString(), query["TopicArn"]);
        Assert.Equal(genuine.Json.RootElement.GetProperty("Token").GetString(), query["Token"]);
    }

    [Fact]
    public async Task AuthenticatedConfirm_PostsASigV4SignedConfirmSubscriptionWithAuthenticateOnUnsubscribe()
    {
        using var signer = new TestSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        HttpRequestMessage? seen = null;
        string? form = null;
        var confirm = new StubHttpMessageHandler(request =>
        {
            seen = request;
            form = request.Content!.ReadAsStringAsync().GetAwaiter().GetResult();
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("<ConfirmSubscriptionResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><ConfirmSubscriptionResult><SubscriptionArn>" + Topic + ":0c2a</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>"),
            };
        });
        using var host = new SnsTestHost(
            new Dictionary<string, string?>
            {
                ["Sns:AllowedTopicArns:0"] = Topic,
                ["Sns:AuthenticatedConfirm"] = "true",
                ["Sns:AccessKeyId"] = "AKIDEXAMPLE",
                ["Sns:SecretAccessKey"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            },
            certificates: signer.CertificateServer(),
            confirm: confirm);
        host.Clock.SetUtcNow(Now);
        var body = signer.Confirmation(SnsMessageType.SubscriptionConfirmation, Topic, "token+/=1", "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription", Now);

        var result = await host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(SnsReasons.SubscriptionConfirmed, result.Reason);
        Assert.NotNull(seen);
        Assert.Equal(HttpMethod.Post, seen.Method);
        Assert.Equal(new Uri("https://sns.eu-west-1.amazonaws.com/"), seen.RequestUri);
        var authorization = string.Join(",", seen.Headers.GetValues("Authorization"));
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", authorization, StringComparison.Ordinal);
        Assert.Contains("/eu-west-1/sns/aws4_request", authorization, StringComparison.Ordinal);
        var fields = System.Web.HttpUtility.ParseQueryString(form!);
        Assert.Equal(("ConfirmSubscription", "true", Topic, "token+/=1"), (fields["Action"], fields["AuthenticateOnUnsubscribe"], fields["TopicArn"], fields["Token"]));
        Assert.DoesNotContain(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 1051);
    }

    [Theory]
    [InlineData("FwoGZXIvYXdzEBYaDH+session/token==")]
    [InlineData(null)]
    public async Task AuthenticatedConfirm_SendsATemporaryKeysSessionTokenOnceAndSigned_AndNoneWithoutIt(string? sessionToken)
    {
        using var signer = new TestSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        List<string>? tokens = null;
        string? authorization = null;
        var confirm = new StubHttpMessageHandler(request =>
        {
            tokens = request.Headers.TryGetValues(SnsSubscriptionConfirmer.SecurityTokenHeader, out var values) ? [.. values] : [];
            authorization = string.Join(",", request.Headers.GetValues("Authorization"));
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        using var host = new SnsTestHost(
            new Dictionary<string, string?>
            {
                ["Sns:AllowedTopicArns:0"] = Topic,
                ["Sns:AuthenticatedConfirm"] = "true",
                ["Sns:AccessKeyId"] = "ASIAEXAMPLE",
                ["Sns:SecretAccessKey"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                ["Sns:SessionToken"] = sessionToken,
            },
            certificates: signer.CertificateServer(),
            confirm: confirm);
        host.Clock.SetUtcNow(Now);
        var body = signer.Confirmation(SnsMessageType.SubscriptionConfirmation, Topic, "token-1", "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription", Now);

        var result = await host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(SnsReasons.SubscriptionConfirmed, result.Reason);
        Assert.NotNull(tokens);
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/", authorization, StringComparison.Ordinal);
        if (sessionToken is null)
        {
            Assert.Empty(tokens);
            Assert.DoesNotContain("x-amz-security-token", authorization, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(sessionToken, Assert.Single(tokens));
            Assert.Matches("SignedHeaders=[a-z0-9;-]*x-amz-security-token", authorization);
            Assert.DoesNotContain(host.Logs.Collector.GetSnapshot(), r => r.Message.Contains(sessionToken, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task UnauthenticatedConfirm_WarnsWithTheCommandThatAuthenticatesIt_WithoutTheToken()
    {
        using var signer = new TestSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        using var host = new SnsTestHost(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = Topic }, certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(Now);
        var body = signer.Confirmation(SnsMessageType.SubscriptionConfirmation, Topic, "secret-token-1", "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription", Now);

        await host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

        var warning = Assert.Single(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 1051);
        Assert.Contains("aws sns confirm-subscription --region eu-west-1 --topic-arn " + Topic + " --token <Token of the SubscriptionConfirmation> --authenticate-on-unsubscribe true", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(host.Logs.Collector.GetSnapshot(), static r => r.Message.Contains("secret-token-1", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://evil.example/?Action=ConfirmSubscription")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("https://sns.eu-west-1.amazonaws.com.evil.com/?Action=ConfirmSubscription")]
    public async Task ForeignSubscribeUrl_IsNeverFetched(string subscribeUrl)
    {
        using var signer = new TestSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        using var host = new SnsTestHost(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = Topic }, certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(Now);
        var body = signer.Confirmation(SnsMessageType.SubscriptionConfirmation, Topic, "token-1", subscribeUrl, Now);

        var result = await host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(SnsReasons.SubscriptionConfirmed, result.Reason);
        var call = Assert.Single(host.Confirm.Requests);
        Assert.Equal("sns.eu-west-1.amazonaws.com", call.Host);
        Assert.Contains("Token=token-1", call.Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForeignSubscribeUrl_IsNeverFetched_EvenWithoutSignatureChecks()
    {
        using var host = new SnsTestHost(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = Topic, ["Sns:VerifySignatures"] = "false" }, environment: "Development");
        var body = TestSnsSigner.Serialize(new SnsMessage(SnsMessageType.SubscriptionConfirmation, "id", Topic, "m", "2026-11-26T12:00:00.000Z", null, null, null, null, "tok&x=1", "https://evil.example/", null));

        var result = await host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(SnsReasons.SubscriptionConfirmed, result.Reason);
        var call = Assert.Single(host.Confirm.Requests);
        Assert.Equal("sns.eu-west-1.amazonaws.com", call.Host);
        Assert.Equal("tok&x=1", System.Web.HttpUtility.ParseQueryString(call.Query)["Token"]);
        Assert.Empty(host.Certificates.Requests);
    }

    [Fact]
    public async Task ConfirmationOfATopicNotAllowed_IsRejectedWithoutAnyCall()
    {
        using var host = new SnsTestHost(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = Topic });
        var genuine = GenuineMessages.Named("subscription-confirmation-sigv1");
        host.SetClockTo(genuine.Timestamp);

        var result = await host.Handler.HandleAsync(new MemoryStream(genuine.Bytes), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(403, result.HttpStatus);
        Assert.Equal(SnsReasons.TopicNotAllowed, result.Reason);
        Assert.Empty(host.Confirm.Requests);
        Assert.Empty(host.Certificates.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, SnsReasons.ConfirmUnavailable, 503)]
    [InlineData(HttpStatusCode.TooManyRequests, SnsReasons.ConfirmUnavailable, 503)]
    [InlineData(HttpStatusCode.Forbidden, SnsReasons.ConfirmFailed, 200)]
    [InlineData(HttpStatusCode.Found, SnsReasons.ConfirmFailed, 200)]
    public async Task ConfirmFailure_IsClassified(HttpStatusCode status, string reason, int httpStatus)
    {
        var confirm = new StubHttpMessageHandler(_ => new HttpResponseMessage(status));
        using var host = new SnsTestHost(confirm: confirm);
        var genuine = GenuineMessages.Named("subscription-confirmation-sigv1");
        host.SetClockTo(genuine.Timestamp);

        var result = await host.Handler.HandleAsync(new MemoryStream(genuine.Bytes), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(reason, result.Reason);
        Assert.Equal(httpStatus, result.HttpStatus);
    }

    [Fact]
    public async Task UnreachableSns_AsksForARetry()
    {
        var confirm = new StubHttpMessageHandler(HttpResponseMessage (_) => throw new HttpRequestException("refused"));
        using var host = new SnsTestHost(confirm: confirm);
        var genuine = GenuineMessages.Named("subscription-confirmation-sigv1");
        host.SetClockTo(genuine.Timestamp);

        var result = await host.Handler.HandleAsync(new MemoryStream(genuine.Bytes), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(503, result.HttpStatus);
    }

    [Fact]
    public async Task AutoConfirmOff_DoesNotCallSns()
    {
        var settings = SnsTestHost.AllowAllGenuineTopics();
        settings["Sns:AutoConfirm"] = "false";
        using var host = new SnsTestHost(settings);
        var genuine = GenuineMessages.Named("subscription-confirmation-sigv1");
        host.SetClockTo(genuine.Timestamp);

        var result = await host.Handler.HandleAsync(new MemoryStream(genuine.Bytes), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(SnsReasons.AutoConfirmDisabled, result.Reason);
        Assert.Empty(host.Confirm.Requests);
    }

    [Fact]
    public async Task UnsubscribeConfirmation_IsLoggedAsAnError()
    {
        using var signer = new TestSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        using var host = new SnsTestHost(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = Topic }, certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(Now);
        var body = signer.Confirmation(SnsMessageType.UnsubscribeConfirmation, Topic, "tok", "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription", Now);

        var result = await host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(DeliveryOutcome.UnsubscribeConfirmation, result.Outcome);
        Assert.Equal(200, result.HttpStatus);
        Assert.Empty(host.Confirm.Requests);
        Assert.Contains(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 1023 && r.Level == Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task UnsubscribeConfirmationWithTamperedToken_IsRejected()
    {
        using var signer = new TestSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        using var host = new SnsTestHost(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = Topic }, certificates: signer.CertificateServer());
        host.Clock.SetUtcNow(Now);
        var body = System.Text.Encoding.UTF8.GetString(signer.Confirmation(SnsMessageType.UnsubscribeConfirmation, Topic, "tok", "https://sns.eu-west-1.amazonaws.com/", Now))
            .Replace("\"tok\"", "\"tok2\"", StringComparison.Ordinal);

        var result = await host.Handler.HandleAsync(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(SnsReasons.BadSignature, result.Reason);
    }
}
