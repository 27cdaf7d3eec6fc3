using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SgNotifier.Core;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

/// <summary>
/// Issue 13 through the whole pipeline: signed SNS deliveries of the attacks a tagger can make, claims in real
/// Azurite table storage, and an SES stub on 127.0.0.1 that answers like SES v2, including its refusal of more than 50
/// recipients (<c>MessageRejected</c>) and of unverified addresses, whose error text names the address.
/// </summary>
public sealed class TaggerAttackTests
{
    [Fact]
    public async Task CaseVariantOwnerFlood_NoMessageExceedsTheLimit_ThePreviousOwnerIsMailedAlone_AndRedeliveryMailsNothingAgain()
    {
        await using var ses = await SesStub.StartAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SettingsAsync(ses.Stub.BaseUri));
        var body = signer.Notification(ConfigChanges.Topic, TaggerAttacks.CaseVariantOwnerFlood(owner, 1), DateTimeOffset.UtcNow);

        var first = await DeliverAsync(host, body);
        var again = await DeliverAsync(host, body);

        Assert.Equal((NotifyReasons.Sent, 200), (first.Reason, first.HttpStatus));
        Assert.Equal((NotifyReasons.Duplicate, 200), (again.Reason, again.HttpStatus));
        var mails = ses.Accepted();
        Assert.Equal(2, mails.Count);
        Assert.Contains(mails, m => m.To.SequenceEqual([owner]));
        Assert.All(mails, m => Assert.InRange(m.To.Count, 1, 10));
        Assert.Single(mails, m => m.To.Contains(owner));
        Assert.Contains("RISKY", mails.Single(m => m.To.SequenceEqual([owner])).Subject, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NewOwnersRefusedByTheProvider_ThePreviousOwnerIsStillMailed_AndNoAddressReachesTheLogs()
    {
        await using var ses = await SesStub.StartAsync();
        var owner = ConfigChanges.UniqueOwner();
        var refused = ConfigChanges.UniqueOwner("unverified");
        using var signer = NewSigner();
        using var host = NewHost(signer, await SettingsAsync(ses.Stub.BaseUri));
        var change = TaggerAttacks.TagChange(TaggerAttacks.OptedIn(owner), TaggerAttacks.OptedIn(refused), 2, rdpOpened: true);

        var result = await DeliverAsync(host, signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow));

        Assert.Equal((NotifyReasons.SendRejected, 200), (result.Reason, result.HttpStatus));
        Assert.Equal([owner], Assert.Single(ses.Accepted()).To);
        var logged = string.Join('\n', host.Logs.Collector.GetSnapshot().Select(static r =>
            r.Message + " " + string.Join(' ', r.StructuredState?.Select(static s => s.Value) ?? [])));
        Assert.DoesNotContain(refused, logged, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(owner, logged, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task LookalikeYes_TheOwnerIsToldThatNotificationsAreNowOff()
    {
        await using var ses = await SesStub.StartAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SettingsAsync(ses.Stub.BaseUri));
        var after = TaggerAttacks.OptedIn(owner);
        after["NotifyOnChange"] = "Y\u0435s";

        var result = await DeliverAsync(host, signer.Notification(ConfigChanges.Topic, TaggerAttacks.TagChange(TaggerAttacks.OptedIn(owner), after, 3), DateTimeOffset.UtcNow));

        Assert.Equal(NotifyReasons.Sent, result.Reason);
        var mail = Assert.Single(ses.Accepted());
        Assert.Equal([owner], mail.To);
        Assert.StartsWith("[SG change] notifications for this group are now OFF", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("Y<U+0435>s", mail.Text, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Collector.GetSnapshot(), r => r.Id.Id == 2011);
    }

    [Fact]
    public async Task OwnerTagPointedOutsideTheAllowedDomains_NothingGoesThere_AndThePreviousOwnerHears()
    {
        await using var ses = await SesStub.StartAsync();
        var owner = ConfigChanges.UniqueOwner();
        using var signer = NewSigner();
        using var host = NewHost(signer, await SettingsAsync(ses.Stub.BaseUri));
        var change = TaggerAttacks.TagChange(TaggerAttacks.OptedIn(owner), TaggerAttacks.OptedIn("drop@attacker-mail.test"), 4, rdpOpened: true);

        var result = await DeliverAsync(host, signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow));

        Assert.Equal(NotifyReasons.Sent, result.Reason);
        Assert.Equal([owner], Assert.Single(ses.Accepted()).To);
        Assert.DoesNotContain(ses.Stub.Requests, r => r.BodyText.Contains("attacker-mail.test\"", StringComparison.Ordinal) && r.BodyText.Contains("ToAddresses\":[\"drop", StringComparison.Ordinal));
    }

    private static TestSnsSigner NewSigner() => new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));

    private static SnsTestHost NewHost(TestSnsSigner signer, Dictionary<string, string?> settings) =>
        new(settings, certificates: signer.CertificateServer(), timeProvider: TimeProvider.System);

    private static Task<DeliveryResult> DeliverAsync(SnsTestHost host, byte[] body) =>
        host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

    private static async Task<Dictionary<string, string?>> SettingsAsync(Uri ses) => new()
    {
        ["Sns:AllowedTopicArns:0"] = ConfigChanges.Topic,
        ["Notify:AllowedRecipientDomains:0"] = "example.com",
        ["Email:Provider"] = "Ses",
        ["Email:From"] = "sg-alerts@example.com",
        ["Email:Ses:Region"] = "us-east-1",
        ["Email:Ses:ServiceUrl"] = ses.ToString(),
        ["Email:Ses:AccessKeyId"] = "AKIDEXAMPLE",
        ["Email:Ses:SecretAccessKey"] = "stub-secret",
        ["Email:Retry:MaxRetries"] = "0",
        ["Ledger:Provider"] = "Table",
        ["Ledger:ConnectionString"] = await SharedEmulators.TableConnectionStringAsync(),
        ["Ledger:TableName"] = "i13" + Guid.NewGuid().ToString("N")[..24],
    };
}

/// <summary>
/// SES v2 <c>SendEmail</c> on 127.0.0.1, strict where real SES is: more than 50 recipients, or an address whose local
/// part starts with <c>unverified</c> (a sandbox account), is refused with <c>MessageRejected</c> and a message naming it.
/// </summary>
internal sealed class SesStub : IAsyncDisposable
{
    private int _accepted;

    private SesStub(LoopbackHttpStub stub) => Stub = stub;

    public LoopbackHttpStub Stub { get; }

    public static async Task<SesStub> StartAsync()
    {
        SesStub? ses = null;
        var stub = await LoopbackHttpStub.StartAsync(async (context, request) =>
        {
            var to = ToAddresses(request.BodyText);
            string? refusal = to.Count > 50
                ? "Recipient count exceeds 50."
                : to.FirstOrDefault(static a => a.StartsWith("unverified", StringComparison.Ordinal)) is { } unverified
                    ? "Email address is not verified. The following identities failed the check in region US-EAST-1: " + unverified
                    : null;
            if (refusal is not null)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.Headers["x-amzn-ErrorType"] = "MessageRejected:http://internal.amazon.com/coral/com.amazonaws.sesv2/";
                await context.Response.WriteAsync(JsonSerializer.Serialize(new { message = refusal }));
                return;
            }

            var id = Interlocked.Increment(ref ses!._accepted);
            await context.Response.WriteAsync("{\"MessageId\":\"stub-" + id.ToString(CultureInfo.InvariantCulture) + "\"}");
        });
        ses = new SesStub(stub);
        return ses;
    }

    /// <summary>The mails SES accepted: recipients, subject and text body.</summary>
    public List<(IReadOnlyList<string> To, string Subject, string Text)> Accepted() =>
        [.. Stub.Requests
            .Select(static r => (Request: r, To: ToAddresses(r.BodyText)))
            .Where(static r => r.To.Count <= 50 && !r.To.Any(static a => a.StartsWith("unverified", StringComparison.Ordinal)))
            .Select(static r =>
            {
                using var json = JsonDocument.Parse(r.Request.BodyText);
                var simple = json.RootElement.GetProperty("Content").GetProperty("Simple");
                return ((IReadOnlyList<string>)r.To, simple.GetProperty("Subject").GetProperty("Data").GetString()!,
                    simple.GetProperty("Body").GetProperty("Text").GetProperty("Data").GetString()!);
            })];

    public ValueTask DisposeAsync() => Stub.DisposeAsync();

    private static List<string> ToAddresses(string body)
    {
        using var json = JsonDocument.Parse(body);
        return [.. json.RootElement.GetProperty("Destination").GetProperty("ToAddresses").EnumerateArray().Select(static a => a.GetString()!)];
    }
}
