using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SgNotifier.Core;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;
using SgNotifier.Tests.Senders;

namespace SgNotifier.Tests;

/// <summary>
/// Exactly one accepted send per change at the provider too (issue 18): signed SNS deliveries through the real
/// composition, claims in real Azurite table storage, and loopback SES and ACS stand-ins that answer slowly (after the
/// attempt timeout but successfully, or after the whole budget), throttle with Retry-After, or accept a repeat.
/// Each stand-in counts the mails it accepted; every test ends with exactly one per change, and no 500.
/// </summary>
public sealed class ChangeNotifierUncertainSendTests
{
    [Fact]
    public async Task SesAnsweringAfterTheAttemptTimeoutButWithinTheBudget_MailsOnceWithOneRequest()
    {
        await using var ses = await SesStandIn.StartAsync(answerAfter: TimeSpan.FromSeconds(2));
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        var settings = await SesSettingsAsync(ses.BaseUri);
        settings["Email:Retry:AttemptTimeout"] = "00:00:01";
        settings["Email:Retry:TotalTimeout"] = "00:00:08";
        using var host = NewHost(signer, settings);
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 301), DateTimeOffset.UtcNow);

        var first = await DeliverAsync(host, body);
        var again = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.Sent, 200), (first.Reason, first.HttpStatus));
        Assert.Equal((NotifyReasons.Duplicate, 200), (again.Reason, again.HttpStatus));
        Assert.Equal(1, ses.PostsTo(owner));
        Assert.Equal(1, ses.AcceptedTo(owner));
    }

    [Fact]
    public async Task SesAnsweringAfterTheBudget_MailsOnce_IsReportedAndNeverResent()
    {
        await using var ses = await SesStandIn.StartAsync(answerAfter: TimeSpan.FromSeconds(6));
        var owner = ConfigChanges.UniqueOwner();
        var secops = ConfigChanges.UniqueOwner("secops");
        using var signer = NewSigner();
        var settings = await SesSettingsAsync(ses.BaseUri);
        settings["Email:Retry:TotalTimeout"] = "00:00:03";
        settings["Notify:FallbackRecipients:0"] = secops;
        ses.AnswerAtOnceTo(secops);
        using var host = NewHost(signer, settings);
        var change = ConfigChanges.RdpOpened(owner, 302);
        var body = signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow);

        var first = await DeliverAsync(host, body);
        var redelivery = await DeliverAsync(host, body);
        var otherMessage = await DeliverAsync(host, signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow));

        Assert.Equal((NotifyReasons.SendUncertain, 200), (first.Reason, first.HttpStatus));
        Assert.Equal((NotifyReasons.AlreadyUncertain, 200), (redelivery.Reason, redelivery.HttpStatus));
        Assert.Equal((NotifyReasons.AlreadyUncertain, 200), (otherMessage.Reason, otherMessage.HttpStatus));
        Assert.Equal(1, ses.PostsTo(owner));    // never resent, so never twice
        Assert.Equal(1, ses.AcceptedTo(owner)); // and SES did take it
        var report = Assert.Single(ses.AcceptedBodies(secops));
        Assert.Contains("does not know whether", report, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 3033);
    }

    [Fact]
    public async Task SesCuttingTheConnectionWithoutTakingTheMail_IsReportedNotResent_TheMissIsVisible()
    {
        await using var ses = await SesStandIn.StartAsync(answerAfter: TimeSpan.Zero, dropOwnerMails: true);
        var owner = ConfigChanges.UniqueOwner();
        var secops = ConfigChanges.UniqueOwner("secops");
        using var signer = NewSigner();
        var settings = await SesSettingsAsync(ses.BaseUri);
        settings["Notify:FallbackRecipients:0"] = secops;
        ses.AnswerAtOnceTo(secops);
        using var host = NewHost(signer, settings);
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 303), DateTimeOffset.UtcNow);

        var first = await DeliverAsync(host, body);
        var redelivery = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.SendUncertain, 200), (first.Reason, first.HttpStatus));
        Assert.Contains("ConnectionLost", first.Detail, StringComparison.Ordinal);
        Assert.Equal((NotifyReasons.AlreadyUncertain, 200), (redelivery.Reason, redelivery.HttpStatus));
        Assert.Equal(1, ses.PostsTo(owner));
        Assert.Equal(0, ses.AcceptedTo(owner)); // the price of never sending twice: a miss, reported below
        Assert.Single(ses.AcceptedBodies(secops));
    }

    [Fact]
    public async Task SesThrottlingWithARetryAfterThatFits_MailsOnceWithinOneDelivery()
    {
        await using var ses = await SesStandIn.StartAsync(answerAfter: TimeSpan.Zero, throttleFirst: 1);
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SesSettingsAsync(ses.BaseUri));
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 304), DateTimeOffset.UtcNow);

        var first = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.Sent, 200), (first.Reason, first.HttpStatus));
        Assert.Equal(2, ses.PostsTo(owner));
        Assert.Equal(1, ses.AcceptedTo(owner));
    }

    [Fact]
    public async Task SesRefusingTheCredentials_Answers503ProviderAuthFailed_AndRecordsNothing()
    {
        await using var ses = await SesStandIn.StartAsync(answerAfter: TimeSpan.Zero, refuseWith: 403);
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SesSettingsAsync(ses.BaseUri));
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 305), DateTimeOffset.UtcNow);

        var refused = await DeliverAsync(host, body);
        ses.RefuseWith = null; // the key is fixed, the role has propagated
        var retried = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.ProviderAuthFailed, 503), (refused.Reason, refused.HttpStatus));
        Assert.Equal((NotifyReasons.Sent, 200), (retried.Reason, retried.HttpStatus));
        Assert.Equal(1, ses.AcceptedTo(owner));
    }

    [Fact]
    public async Task AcsAnsweringAfterTheBudget_MailsOnce_TheRedeliveryRepeatsTheSameRequest()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.AnswerDelay = TimeSpan.FromSeconds(5);
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        var settings = await AcsSettingsAsync(acs.BaseUri);
        settings["Email:Retry:TotalTimeout"] = "00:00:03";
        using var host = NewHost(signer, settings);
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 306), DateTimeOffset.UtcNow);

        var first = await DeliverAsync(host, body);
        await Task.Delay(TimeSpan.FromSeconds(3)); // SNS waits 20 s before it redelivers; ACS has answered by then
        var redelivery = await DeliverAsync(host, body);
        var again = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.SendUncertain, 503), (first.Reason, first.HttpStatus));
        Assert.Equal((NotifyReasons.Sent, 200), (redelivery.Reason, redelivery.HttpStatus));
        Assert.Equal((NotifyReasons.Duplicate, 200), (again.Reason, again.HttpStatus));
        Assert.Equal(1, acs.AcceptedMails);
        var posts = acs.Posts.ToList();
        Assert.Equal(2, posts.Count);
        // The ledger (Azurite) kept the first request's ids and time to the second: the repeat is that request.
        Assert.Equal(posts[0].Headers["Repeatability-Request-Id"], posts[1].Headers["Repeatability-Request-Id"]);
        Assert.Equal(posts[0].Headers["Repeatability-First-Sent"], posts[1].Headers["Repeatability-First-Sent"]);
        Assert.Contains(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 3032);
    }

    [Fact]
    public async Task AcsThrottlingWithARetryAfterThatFits_MailsOnceWithinOneDelivery()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.ThrottleFirst = 1;
        acs.ThrottleRetryAfter = "1";
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await AcsSettingsAsync(acs.BaseUri));
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 307), DateTimeOffset.UtcNow);

        var first = await DeliverAsync(host, body);
        var again = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.Sent, 200), (first.Reason, first.HttpStatus));
        Assert.Equal((NotifyReasons.Duplicate, 200), (again.Reason, again.HttpStatus));
        Assert.Equal(1, acs.AcceptedMails);
    }

    [Fact]
    public async Task AcsRefusingAuthorisation_Answers503ProviderAuthFailed_ThenMailsOnceWhenGranted()
    {
        await using var acs = await AcsServiceStub.StartAsync();
        acs.ForceStatus = 403;
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await AcsSettingsAsync(acs.BaseUri));
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 308), DateTimeOffset.UtcNow);

        var refused = await DeliverAsync(host, body);
        acs.ForceStatus = null;
        var retried = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.ProviderAuthFailed, 503), (refused.Reason, refused.HttpStatus));
        Assert.Equal((NotifyReasons.Sent, 200), (retried.Reason, retried.HttpStatus));
        Assert.Equal(1, acs.AcceptedMails);
    }

    private static TestSnsSigner NewSigner() => new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    private static SnsTestHost NewHost(TestSnsSigner signer, Dictionary<string, string?> settings) =>
        new(settings, certificates: signer.CertificateServer(), timeProvider: TimeProvider.System);

    private static async Task<Dictionary<string, string?>> SesSettingsAsync(Uri ses) => new()
    {
        ["Sns:AllowedTopicArns:0"] = ConfigChanges.Topic,
        ["Email:Provider"] = "Ses",
        ["Email:From"] = "sg-alerts@example.com",
        ["Email:Ses:Region"] = "us-east-1",
        ["Email:Ses:ServiceUrl"] = ses.ToString(),
        ["Email:Ses:AccessKeyId"] = "AKIDEXAMPLE",
        ["Email:Ses:SecretAccessKey"] = "emulator-secret",
        ["Ledger:Provider"] = "Table",
        ["Ledger:ConnectionString"] = await SharedEmulators.TableConnectionStringAsync(),
        ["Ledger:TableName"] = "once" + Guid.NewGuid().ToString("N")[..24],
    };

    private static async Task<Dictionary<string, string?>> AcsSettingsAsync(Uri acs)
    {
        var settings = await SesSettingsAsync(acs);
        settings["Email:Provider"] = "Acs";
        settings["Email:From"] = "DoNotReply@example.azurecomm.net";
        settings["Email:Acs:ConnectionString"] = $"endpoint={acs.AbsoluteUri};accesskey={AcsServiceStub.AccessKey}";
        settings["Email:Acs:PollBudget"] = "00:00:01";
        return settings;
    }

    private static Task<DeliveryResult> DeliverAsync(SnsTestHost host, byte[] body) =>
        host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

    /// <summary>
    /// SES v2 <c>SendEmail</c> on a loopback port: a mail counts as accepted when its request arrives (SES takes it
    /// before answering); the answer comes after <c>answerAfter</c>. It can throttle the first sends (429 with
    /// Retry-After: 1), refuse all with a status, or cut the connection of owner mails without taking them.
    /// </summary>
    private sealed class SesStandIn : IAsyncDisposable
    {
        private readonly ConcurrentBag<(string To, string Body, bool Accepted)> _mails = [];
        private readonly ConcurrentDictionary<string, bool> _answerAtOnce = new(StringComparer.OrdinalIgnoreCase);
        private LoopbackHttpStub _http = null!;
        private int _throttled;

        public Uri BaseUri => _http.BaseUri;

        public int? RefuseWith { get; set; }

        public static async Task<SesStandIn> StartAsync(TimeSpan answerAfter, int throttleFirst = 0, int? refuseWith = null, bool dropOwnerMails = false)
        {
            var ses = new SesStandIn { RefuseWith = refuseWith };
            ses._http = await LoopbackHttpStub.StartAsync(async (context, request) =>
            {
                using var json = JsonDocument.Parse(request.Body);
                var to = json.RootElement.GetProperty("Destination").GetProperty("ToAddresses")[0].GetString()!;
                var text = json.RootElement.GetProperty("Content").GetProperty("Simple").GetProperty("Body").GetProperty("Text").GetProperty("Data").GetString()!;
                var atOnce = ses._answerAtOnce.ContainsKey(to);
                if (ses.RefuseWith is { } status)
                {
                    ses._mails.Add((to, text, false));
                    context.Response.StatusCode = status;
                    context.Response.Headers["x-amzn-ErrorType"] = "UnrecognizedClientException:";
                    await context.Response.WriteAsync("{\"message\":\"The security token included in the request is invalid.\"}");
                    return;
                }

                if (!atOnce && Interlocked.Increment(ref ses._throttled) <= throttleFirst)
                {
                    ses._mails.Add((to, text, false));
                    context.Response.StatusCode = 429;
                    context.Response.Headers["x-amzn-ErrorType"] = "TooManyRequestsException:";
                    context.Response.Headers.RetryAfter = "1";
                    await context.Response.WriteAsync("{\"message\":\"Maximum sending rate exceeded.\"}");
                    return;
                }

                if (dropOwnerMails && !atOnce)
                {
                    ses._mails.Add((to, text, false));
                    await Task.Delay(TimeSpan.FromMilliseconds(300));
                    context.Abort();
                    return;
                }

                ses._mails.Add((to, text, true));
                if (!atOnce && answerAfter > TimeSpan.Zero)
                {
                    await Task.Delay(answerAfter, CancellationToken.None);
                }

                if (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.WriteAsync("{\"MessageId\":\"standin-" + Guid.NewGuid().ToString("N") + "\"}");
                }
            });
            return ses;
        }

        public void AnswerAtOnceTo(string address) => _answerAtOnce[address] = true;

        public int PostsTo(string address) => _mails.Count(m => string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase));

        public int AcceptedTo(string address) => _mails.Count(m => m.Accepted && string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase));

        public IReadOnlyList<string> AcceptedBodies(string address) =>
            _mails.Where(m => m.Accepted && string.Equals(m.To, address, StringComparison.OrdinalIgnoreCase)).Select(static m => m.Body).ToList();

        public ValueTask DisposeAsync() => _http.DisposeAsync();
    }
}
