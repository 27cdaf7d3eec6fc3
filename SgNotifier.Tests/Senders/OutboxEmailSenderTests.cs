using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using SgNotifier.Core.Email;
using SgNotifier.Core.Senders;
using SgNotifier.Tests.Email;

namespace SgNotifier.Tests.Senders;

public sealed class OutboxEmailSenderTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 16, 45, 0, 123, TimeSpan.Zero);

    [Fact]
    public async Task Mail_ParsesBackWithItsHeadersAndBothParts()
    {
        using var folder = new TempFolder();
        var directory = Path.Combine(folder.Path, "not", "yet", "there");
        var sender = Sender(directory, new FakeTimeProvider(Start));
        var rendered = new EmailRenderer(EmailRendererSettings.Default).Render(TestDecisions.HostileStrings());

        var result = await sender.SendAsync(new OutgoingEmail(["owner@example.com", "second@example.com"], rendered, "acct/us-east-1/sg-0abc/1"), CancellationToken.None);

        Assert.Equal(SendStatus.Sent, result.Status);
        Assert.StartsWith("20261126T164500123Z-", result.ProviderMessageId, StringComparison.Ordinal);
        var message = await MimeMessage.LoadAsync(Path.Combine(directory, result.ProviderMessageId!));
        Assert.Equal("sg-alerts@example.com", ((MailboxAddress)message.From.Single()).Address);
        Assert.Equal(["owner@example.com", "second@example.com"], message.To.Mailboxes.Select(static m => m.Address));
        Assert.Equal(rendered.Subject, message.Subject);
        Assert.Equal(Start.AddTicks(-(Start.Ticks % TimeSpan.TicksPerSecond)), message.Date); // RFC 5322 dates have whole seconds
        Assert.Equal("acct/us-east-1/sg-0abc/1", message.Headers["X-SgNotifier-Change"]);
        Assert.Equal("multipart/alternative", message.Body!.ContentType.MimeType);
        Assert.Equal(rendered.Text.ReplaceLineEndings(), message.TextBody!.ReplaceLineEndings());
        Assert.Equal(rendered.Html.ReplaceLineEndings(), message.HtmlBody!.ReplaceLineEndings());
    }

    [Fact]
    public async Task ConcurrentSends_WriteDistinctFilesThatSortByTime()
    {
        using var folder = new TempFolder();
        var sender = Sender(folder.Path, TimeProvider.System);
        var mail = new OutgoingEmail(["owner@example.com"], new RenderedEmail("s", "t", "<p>h</p>"), "k");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => sender.SendAsync(mail, CancellationToken.None))));

        Assert.All(results, static r => Assert.Equal(SendStatus.Sent, r.Status));
        var files = Directory.GetFiles(folder.Path).Select(Path.GetFileName).ToList();
        Assert.Equal(200, files.Count);
        Assert.Equal(200, results.Select(static r => r.ProviderMessageId).Distinct().Count());
        Assert.All(files, static f => Assert.Matches(@"^\d{8}T\d{9}Z-\d{10}-[0-9a-f]{8}\.eml$", f));
        var byName = files.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(byName.OrderBy(static f => f![..19], StringComparer.Ordinal).ThenBy(static f => f![20..30], StringComparer.Ordinal), byName);
    }

    [Fact]
    public async Task LaterMails_SortAfterEarlierOnes()
    {
        using var folder = new TempFolder();
        var clock = new FakeTimeProvider(Start);
        var sender = Sender(folder.Path, clock);
        var mail = new OutgoingEmail(["owner@example.com"], new RenderedEmail("s", "t", "<p>h</p>"), "k");
        var names = new List<string>();

        foreach (var step in new[] { 0, 0, 1, 999, 60_000 })
        {
            clock.Advance(TimeSpan.FromMilliseconds(step));
            names.Add((await sender.SendAsync(mail, CancellationToken.None)).ProviderMessageId!);
        }

        Assert.Equal(names, names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task InvalidRecipient_IsPermanent()
    {
        using var folder = new TempFolder();

        var result = await Sender(folder.Path, TimeProvider.System).SendAsync(
            new OutgoingEmail(["not an address <"], new RenderedEmail("s", "t", "h"), "k"), CancellationToken.None);

        Assert.Equal(SendStatus.Permanent, result.Status);
        Assert.Equal("InvalidAddress", result.ErrorCode);
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    private static OutboxEmailSender Sender(string directory, TimeProvider clock) =>
        new(Options.Create(new EmailOptions { From = "sg-alerts@example.com", Outbox = { Directory = directory } }), clock,
            NullLogger<OutboxEmailSender>.Instance);
}
