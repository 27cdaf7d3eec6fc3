using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;

namespace SgNotifier.Tests.Ledger;

public sealed class LedgerPurgerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task EntriesOlderThanRetentionDays_ArePurgedAndYoungerOnesKept()
    {
        var options = Options.Create(new LedgerOptions { RetentionDays = 30 });
        var ledger = new MemoryNotificationLedger(options, _time, NullLogger<MemoryNotificationLedger>.Instance);
        var purger = new LedgerPurger(ledger, options, _time, NullLogger<LedgerPurger>.Instance);
        var old = new ChangeKey("123456789012", "eu-west-1", "sg-old", "1");
        var young = new ChangeKey("123456789012", "eu-west-1", "sg-young", "1");
        await SendAsync(ledger, "message-old", old);
        _time.Advance(TimeSpan.FromDays(25));
        await SendAsync(ledger, "message-young", young);
        _time.Advance(TimeSpan.FromDays(5) + TimeSpan.FromSeconds(1));

        Assert.Equal(2, await purger.PurgeExpiredAsync(CancellationToken.None));

        Assert.Equal(LedgerClaimStatus.Claimed, (await ledger.ClaimAsync("message-old", old, CancellationToken.None)).Status);
        Assert.Equal(LedgerClaimStatus.AlreadySent, (await ledger.ClaimAsync("message-young", young, CancellationToken.None)).Status);
        Assert.Equal(0, await purger.PurgeExpiredAsync(CancellationToken.None));
    }

    private static async Task SendAsync(INotificationLedger ledger, string messageId, ChangeKey key)
    {
        var claim = await ledger.ClaimAsync(messageId, key, CancellationToken.None);
        await ledger.MarkSentAsync(claim.Lease!, "ses-" + messageId, CancellationToken.None);
    }
}
