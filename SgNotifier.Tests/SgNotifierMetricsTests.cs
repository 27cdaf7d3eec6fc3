using SgNotifier.Core;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

/// <summary>
/// The <c>SgNotifier</c> meter on real deliveries through the real composition (signed SNS messages, in-memory ledger,
/// outbox), read by a <see cref="System.Diagnostics.Metrics.MeterListener"/>.
/// </summary>
public sealed class SgNotifierMetricsTests : IDisposable
{
    private readonly TestSnsSigner _signer = new(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    private readonly string _outbox = Path.Combine(Path.GetTempPath(), "sgnotifier-metrics-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task MailedChange_CountsTheDeliveryTheClaimAndTheMessage()
    {
        using var host = Host(_outbox);
        using var meters = new MetricsRecorder(host.Services);

        var result = await DeliverAsync(host, ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 51));

        Assert.Equal(NotifyReasons.Sent, result.Reason);
        var delivery = Assert.Single(meters.Of("sgnotifier.deliveries"));
        Assert.Equal(("notify", "sent", "200", 1d), (delivery.Tag("outcome"), delivery.Tag("reason"), delivery.Tag("status"), delivery.Value));
        var claim = Assert.Single(meters.Of("sgnotifier.ledger.claims"));
        Assert.Equal("claimed", claim.Tag("status"));
        var message = Assert.Single(meters.Of("sgnotifier.messages"));
        Assert.Equal(("email", "outbox", "change", "sent"), (message.Tag("channel"), message.Tag("provider"), message.Tag("kind"), message.Tag("result")));
        var duration = Assert.Single(meters.Of("sgnotifier.delivery.duration"));
        Assert.Equal(("notify", "200"), (duration.Tag("outcome"), duration.Tag("status")));
        Assert.InRange(duration.Value, double.Epsilon, 30);
    }

    [Fact]
    public async Task SecondDeliveryOfTheSameChange_CountsAnAlreadySentClaimAndNoMessage()
    {
        using var host = Host(_outbox);
        using var meters = new MetricsRecorder(host.Services);
        var change = ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 52);

        await DeliverAsync(host, change);
        var again = await DeliverAsync(host, change);

        Assert.Equal(NotifyReasons.Duplicate, again.Reason);
        Assert.Equal(["claimed", "already-sent"], meters.Of("sgnotifier.ledger.claims").Select(static m => m.Tag("status")));
        Assert.Single(meters.Of("sgnotifier.messages"));
        Assert.Equal(["sent", "duplicate"], meters.Of("sgnotifier.deliveries").Select(static m => m.Tag("reason")));
    }

    [Fact]
    public async Task ProviderFailure_CountsATransientMessageAndA503()
    {
        // The outbox "directory" is a file: writing fails with an I/O error, which the outbox reports as transient.
        Directory.CreateDirectory(_outbox);
        var notADirectory = Path.Combine(_outbox, "file");
        await File.WriteAllTextAsync(notADirectory, "x");
        using var host = Host(notADirectory);
        using var meters = new MetricsRecorder(host.Services);

        var result = await DeliverAsync(host, ConfigChanges.RdpOpened(ConfigChanges.UniqueOwner(), 53));

        Assert.Equal(NotifyReasons.SendFailed, result.Reason);
        var message = Assert.Single(meters.Of("sgnotifier.messages"));
        Assert.Equal("transient", message.Tag("result"));
        var delivery = Assert.Single(meters.Of("sgnotifier.deliveries"));
        Assert.Equal(("notify", "send-failed", "503"), (delivery.Tag("outcome"), delivery.Tag("reason"), delivery.Tag("status")));
    }

    [Fact]
    public async Task MalformedBody_CountsA400WithItsReason()
    {
        using var host = Host(_outbox);
        using var meters = new MetricsRecorder(host.Services);

        await host.Handler.HandleAsync(new MemoryStream("{\"Type\":\"Notification\"}"u8.ToArray()), SnsRequestHeaders.None, CancellationToken.None);

        var delivery = Assert.Single(meters.Of("sgnotifier.deliveries"));
        Assert.Equal(("malformed", "missing-field", "400"), (delivery.Tag("outcome"), delivery.Tag("reason"), delivery.Tag("status")));
        Assert.Empty(meters.Of("sgnotifier.ledger.claims"));
    }

    [Fact]
    public async Task TwoHostsInOneProcess_CountSeparately()
    {
        using var one = Host(_outbox);
        using var other = Host(_outbox);
        using var meters = new MetricsRecorder(one.Services);

        await other.Handler.HandleAsync(new MemoryStream("[]"u8.ToArray()), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Empty(meters.Measurements);
    }

    public void Dispose()
    {
        _signer.Dispose();
        if (Directory.Exists(_outbox))
        {
            Directory.Delete(_outbox, recursive: true);
        }
    }

    private SnsTestHost Host(string outbox) => new(
        new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = ConfigChanges.Topic,
            ["Email:Provider"] = "Outbox",
            ["Email:Outbox:Directory"] = outbox,
            ["Ledger:Provider"] = "Memory",
        },
        certificates: _signer.CertificateServer(),
        timeProvider: TimeProvider.System);

    private Task<DeliveryResult> DeliverAsync(SnsTestHost host, string change) =>
        host.Handler.HandleAsync(new MemoryStream(_signer.Notification(ConfigChanges.Topic, change, DateTimeOffset.UtcNow)), SnsRequestHeaders.None, CancellationToken.None);
}
