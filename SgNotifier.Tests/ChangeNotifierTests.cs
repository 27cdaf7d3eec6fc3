using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using SgNotifier.Core;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

/// <summary>
/// Exactly one e-mail per change (issue 5), through the real composition: signed SNS deliveries in, claims in real
/// Azurite table storage, mails in the real SES emulator (or a loopback SES stub for throttling and timeouts).
/// The clock is real because the e-mail resilience pipeline times out and backs off on the registered clock.
/// Each test mails its own owner address and its own ledger table, so tests never see each other's mails or claims.
/// </summary>
public sealed class ChangeNotifierTests
{
    private static readonly TimeSpan SnsRetryDelay = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task TwentyConcurrentDeliveriesOfOneMessage_SendExactlyOneMail()
    {
        var ses = await SharedEmulators.SesUrlAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SettingsAsync(ses));
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 7), DateTimeOffset.UtcNow);

        var first = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => DeliverAsync(host, body)));

        Assert.Equal(1, first.Count(static r => r.Reason == NotifyReasons.Sent));
        Assert.All(first.Where(static r => r.Reason != NotifyReasons.Sent), static r =>
            Assert.True(r is { Reason: NotifyReasons.Duplicate, HttpStatus: 200 } or { Reason: NotifyReasons.InProgress, HttpStatus: 503 },
                $"{r.Reason} ({r.HttpStatus})"));

        // SNS redelivers every 503: each redelivery finds the change sent and answers 200 without mailing.
        foreach (var deferred in first.Where(static r => r.Retry))
        {
            var again = await DeliverAsync(host, body);
            Assert.Equal((NotifyReasons.Duplicate, 200), (again.Reason, again.HttpStatus));
        }

        Assert.Equal(1, await SesStore.MailsToAsync(ses, owner));
    }

    [Fact]
    public async Task TwoMessageIdsCarryingTheSameConfigItem_SendOneMail()
    {
        var ses = await SharedEmulators.SesUrlAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SettingsAsync(ses));
        var change = ConfigChanges.RdpOpened(owner, 8);
        var one = signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow);
        var other = signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow);

        var results = await Task.WhenAll(Enumerable.Range(0, 10).SelectMany(_ => new[] { DeliverLikeSnsAsync(host, one), DeliverLikeSnsAsync(host, other) }));

        Assert.Equal(1, results.Count(static r => r.Reason == NotifyReasons.Sent));
        Assert.Equal(19, results.Count(static r => r.Reason == NotifyReasons.Duplicate));
        Assert.Equal(1, await SesStore.MailsToAsync(ses, owner));
    }

    [Fact]
    public async Task DifferentConfigurationStatesOfOneGroup_AreSeparateChanges()
    {
        var ses = await SharedEmulators.SesUrlAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SettingsAsync(ses));

        var first = await DeliverAsync(host, signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 11), DateTimeOffset.UtcNow));
        var second = await DeliverAsync(host, signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 12), DateTimeOffset.UtcNow));

        Assert.Equal(NotifyReasons.Sent, first.Reason);
        Assert.Equal(NotifyReasons.Sent, second.Reason);
        Assert.Equal(2, await SesStore.MailsToAsync(ses, owner));
    }

    [Fact]
    public async Task ProviderDown_Answers503AndLeavesTheChangeClaimable_ThenTheRetrySendsExactlyOnce()
    {
        await using var ses = await EmulatorProcess.StartSesAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        var settings = await SettingsAsync(ses.BaseUri);
        settings["Email:Retry:MaxRetries"] = "1";
        using var host = NewHost(signer, settings);
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 9), DateTimeOffset.UtcNow);

        await ses.StopAsync();
        var down = await DeliverAsync(host, body);
        var stillDown = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.SendFailed, 503), (down.Reason, down.HttpStatus));
        Assert.Equal((NotifyReasons.SendFailed, 503), (stillDown.Reason, stillDown.HttpStatus)); // released, not stuck "in-progress"

        await ses.RestartAsync();
        var retried = await DeliverAsync(host, body);
        var again = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.Sent, 200), (retried.Reason, retried.HttpStatus));
        Assert.Equal((NotifyReasons.Duplicate, 200), (again.Reason, again.HttpStatus));
        Assert.Equal(1, await SesStore.MailsToAsync(ses.BaseUri, owner));
    }

    // A send that times out after going out is uncertain, not retried: ChangeNotifierUncertainSendTests.
    public static TheoryData<string> ProviderFaults() => ["throttled-429", "unavailable-503"];

    [Theory]
    [MemberData(nameof(ProviderFaults))]
    public async Task ProviderThrottlesOrFails_Answers503_ThenTheRetrySendsExactlyOnce(string fault)
    {
        var failing = true;
        var accepted = 0;
        await using var stub = await LoopbackHttpStub.StartAsync(async (context, _) =>
        {
            if (Volatile.Read(ref failing))
            {
                if (fault == "throttled-429")
                {
                    context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                    context.Response.Headers["x-amzn-ErrorType"] = "TooManyRequestsException:";
                    await context.Response.WriteAsync("{\"message\":\"Maximum sending rate exceeded.\"}");
                    return;
                }

                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            var id = Interlocked.Increment(ref accepted);
            await context.Response.WriteAsync("{\"MessageId\":\"stub-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\"}");
        });
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        var settings = await SettingsAsync(stub.BaseUri);
        settings["Email:Retry:MaxRetries"] = "1";
        using var host = NewHost(signer, settings);
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 21), DateTimeOffset.UtcNow);

        var deferred = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.SendFailed, 503), (deferred.Reason, deferred.HttpStatus));
        Assert.Equal(2, stub.Requests.Count); // one attempt and one bounded retry
        Assert.Equal(0, Volatile.Read(ref accepted));

        Volatile.Write(ref failing, false);
        var retried = await DeliverAsync(host, body);
        var again = await DeliverAsync(host, body);

        Assert.Equal(NotifyReasons.Sent, retried.Reason);
        Assert.Equal(NotifyReasons.Duplicate, again.Reason);
        Assert.Equal(1, Volatile.Read(ref accepted));
    }

    [Fact]
    public async Task LedgerDown_Answers503AndSendsNothing_ThenTheRetrySendsOnceWhenItIsBack()
    {
        var ses = await SharedEmulators.SesUrlAsync();
        await using var azurite = await EmulatorProcess.StartAzuriteTableAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        var settings = await SettingsAsync(ses);
        settings["Ledger:ConnectionString"] = azurite.TableConnectionString;
        using var host = NewHost(signer, settings);
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 10), DateTimeOffset.UtcNow);

        await azurite.StopAsync();
        var down = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.LedgerUnavailable, 503), (down.Reason, down.HttpStatus));
        Assert.Equal(0, await SesStore.MailsToAsync(ses, owner));

        // Azurite comes back empty (in-memory): the ledger recreates its table and the redelivery mails once.
        await azurite.RestartAsync();
        var retried = await DeliverAsync(host, body);
        var again = await DeliverAsync(host, body);

        Assert.Equal(NotifyReasons.Sent, retried.Reason);
        Assert.Equal(NotifyReasons.Duplicate, again.Reason);
        Assert.Equal(1, await SesStore.MailsToAsync(ses, owner));
    }

    [Fact]
    public async Task SendRateLimit_DefersWhatCannotGetAPermitWithinItsBudget_AndTheDeferredChangesStayClaimable()
    {
        var ses = await SharedEmulators.SesUrlAsync();
        var owners = Enumerable.Range(0, 16).Select(static _ => ConfigChanges.UniqueOwner("rate")).ToList();
        using var signer = NewSigner();
        var settings = await SettingsAsync(ses);
        settings["Email:MaxSendsPerSecond"] = "1";
        using var host = NewHost(signer, settings);
        var bodies = owners.Select((owner, i) => signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 100 + i), DateTimeOffset.UtcNow)).ToList();

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(bodies.Select(body => DeliverAsync(host, body)));
        clock.Stop();

        var sent = results.Count(static r => r.Reason == NotifyReasons.Sent);
        var limited = results.Where(static r => r.Reason == NotifyReasons.RateLimited).ToList();
        Assert.Equal(results.Length, sent + limited.Count);
        Assert.NotEmpty(limited);
        Assert.All(limited, static r => Assert.Equal(503, r.HttpStatus));
        // One permit per second plus the one in the bucket at start: the budget bounds how many got through.
        Assert.InRange(sent, 1, (int)Math.Ceiling(clock.Elapsed.TotalSeconds) + 1);
        var mailed = 0;
        foreach (var owner in owners)
        {
            mailed += await SesStore.MailsToAsync(ses, owner);
        }

        Assert.Equal(sent, mailed);

        // A deferred change was released, not left claimed: its redelivery (after a permit frees up) mails it.
        var index = Array.FindIndex(results, static r => r.Reason == NotifyReasons.RateLimited);
        var retried = await DeliverAsync(host, bodies[index]);
        Assert.Equal(NotifyReasons.Sent, retried.Reason);
        Assert.Equal(1, await SesStore.MailsToAsync(ses, owners[index]));
    }

    private static TestSnsSigner NewSigner() => new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    private static SnsTestHost NewHost(TestSnsSigner signer, Dictionary<string, string?> settings) =>
        new(settings, certificates: signer.CertificateServer(), timeProvider: TimeProvider.System);

    private static async Task<Dictionary<string, string?>> SettingsAsync(Uri ses) => new()
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
        ["Ledger:TableName"] = "e2e" + Guid.NewGuid().ToString("N")[..24],
    };

    private static Task<DeliveryResult> DeliverAsync(SnsTestHost host, byte[] body) =>
        host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

    /// <summary>Delivers the way SNS does: again after every 503, a bounded number of times.</summary>
    private static async Task<DeliveryResult> DeliverLikeSnsAsync(SnsTestHost host, byte[] body)
    {
        for (var attempt = 1; ; attempt++)
        {
            var result = await DeliverAsync(host, body);
            if (!result.Retry || attempt == 50)
            {
                return result;
            }

            await Task.Delay(SnsRetryDelay);
        }
    }
}
