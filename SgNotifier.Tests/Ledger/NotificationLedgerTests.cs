using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;

namespace SgNotifier.Tests.Ledger;

/// <summary>The ledger protocol, run against every implementation (Table ones against a real Azurite).</summary>
public abstract class NotificationLedgerTests : IDisposable
{
    protected static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);

    private readonly List<IDisposable> _owned = [];

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    public static TheoryData<string> HostileTexts => new()
    {
        "a/b/c",
        @"back\slash",
        "hash#tag",
        "query?x=1",
        "tab\tnewline\ncarriage\r",
        "nul\0bell\a\u001f\u007f\u0085",
        "ünïcödé ✓ 日本語 🙂",
        "lone \uD800 surrogate",
        "'quote\" <xml> &amp; %2F",
        " ",
        new string('x', 5000),
    };

    [Fact]
    public async Task SentChange_IsAnsweredAsAlreadySentWithTheProviderMessageId()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var messageId = NewMessageId();

        var first = await ledger.ClaimAsync(messageId, key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, first.Status);
        Assert.NotNull(first.Lease);
        Assert.Equal(1, first.Lease.Attempt);
        Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkSentAsync(first.Lease, "ses-0001", CancellationToken.None));

        var again = await ledger.ClaimAsync(messageId, key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.AlreadySent, again.Status);
        Assert.Null(again.Lease);
        Assert.Equal("ses-0001", again.ProviderMessageId);
        Assert.Equal(messageId, again.MessageId);
        Assert.Equal(Time.GetUtcNow(), again.CompletedAt);
    }

    [Fact]
    public async Task PeekFinal_AnswersOnlyFinalEntries_AndClaimsNothing()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var messageId = NewMessageId();

        Assert.Null(await ledger.PeekFinalAsync(messageId, key, CancellationToken.None));
        var first = await ledger.ClaimAsync(messageId, key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, first.Status);
        Assert.Null(await ledger.PeekFinalAsync(messageId, key, CancellationToken.None));
        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkSentAsync(first.Lease!, "ses-0002", CancellationToken.None));

        var peeked = await ledger.PeekFinalAsync(NewMessageId(), key, CancellationToken.None);
        Assert.NotNull(peeked);
        Assert.Equal(LedgerClaimStatus.AlreadySent, peeked.Status);
        Assert.Equal("ses-0002", peeked.ProviderMessageId);
        Assert.Null(peeked.Lease);
    }

    [Fact]
    public async Task LiveClaim_MakesARetryOfTheSameMessageWaitInProgress()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var messageId = NewMessageId();
        var first = await ledger.ClaimAsync(messageId, key, CancellationToken.None);

        Time.Advance(Lease - TimeSpan.FromSeconds(1));
        var retry = await ledger.ClaimAsync(messageId, key, CancellationToken.None);

        Assert.Equal(LedgerClaimStatus.InProgress, retry.Status);
        Assert.Null(retry.Lease);
        Assert.Equal(messageId, retry.MessageId);
        Assert.Equal(first.Lease!.ExpiresAt, retry.LeaseExpiresAt);
    }

    [Fact]
    public async Task ExpiredClaim_IsTakenOverByExactlyOneOfManyConcurrentTakers()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var crashed = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, crashed.Status);

        Time.Advance(Lease);
        var takers = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Task.Run(() => ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None))));

        var winner = Assert.Single(takers, static c => c.Status == LedgerClaimStatus.Claimed);
        Assert.Equal(2, winner.Lease!.Attempt);
        Assert.All(takers.Where(c => c != winner), static c => Assert.Equal(LedgerClaimStatus.InProgress, c.Status));
        Assert.Equal(LedgerWriteResult.ClaimLost, await ledger.ReleaseAsync(crashed.Lease!, CancellationToken.None));
    }

    [Fact]
    public async Task ReleasedClaim_IsClaimableAgainAtOnce()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var messageId = NewMessageId();
        var first = await ledger.ClaimAsync(messageId, key, CancellationToken.None);

        Assert.Equal(LedgerWriteResult.Recorded, await ledger.ReleaseAsync(first.Lease!, CancellationToken.None));
        var retry = await ledger.ClaimAsync(messageId, key, CancellationToken.None);

        Assert.Equal(LedgerClaimStatus.Claimed, retry.Status);
        Assert.Equal(2, retry.Lease!.Attempt);
        Assert.Equal(LedgerWriteResult.ClaimLost, await ledger.ReleaseAsync(first.Lease!, CancellationToken.None));
    }

    [Fact]
    public async Task TwoMessageIdsCarryingTheSameChange_ClaimItOnce()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var first = await ledger.ClaimAsync("message-1-" + Guid.NewGuid(), key, CancellationToken.None);

        var second = await ledger.ClaimAsync("message-2-" + Guid.NewGuid(), key with { }, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.InProgress, second.Status);
        Assert.Equal(first.MessageId, second.MessageId);

        await ledger.MarkSentAsync(first.Lease!, "ses-0002", CancellationToken.None);
        var third = await ledger.ClaimAsync("message-3-" + Guid.NewGuid(), key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.AlreadySent, third.Status);
        Assert.Equal("ses-0002", third.ProviderMessageId);
        Assert.Equal(first.MessageId, third.MessageId);
    }

    [Fact]
    public async Task MessageWithoutChangeKey_IsDeduplicatedByItsMessageId()
    {
        var ledger = await CreateLedgerAsync();
        var messageId = NewMessageId();
        var first = await ledger.ClaimAsync(messageId, null, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, first.Status);
        Assert.Null(first.Lease!.ChangeKey);

        Assert.Equal(LedgerClaimStatus.InProgress, (await ledger.ClaimAsync(messageId, null, CancellationToken.None)).Status);
        Assert.Equal(LedgerClaimStatus.Claimed, (await ledger.ClaimAsync(NewMessageId(), null, CancellationToken.None)).Status);

        await ledger.MarkSentAsync(first.Lease, "ses-0003", CancellationToken.None);
        var again = await ledger.ClaimAsync(messageId, null, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.AlreadySent, again.Status);
        Assert.Equal("ses-0003", again.ProviderMessageId);
    }

    [Fact]
    public async Task RetryOfASentMessage_IsAnsweredByItsMessageEntryEvenWithoutItsChangeKey()
    {
        var ledger = await CreateLedgerAsync();
        var messageId = NewMessageId();
        var claim = await ledger.ClaimAsync(messageId, NewChangeKey(), CancellationToken.None);
        await ledger.MarkSentAsync(claim.Lease!, "ses-0004", CancellationToken.None);

        var withoutKey = await ledger.ClaimAsync(messageId, null, CancellationToken.None);
        var withAnotherKey = await ledger.ClaimAsync(messageId, NewChangeKey(), CancellationToken.None);

        Assert.Equal(LedgerClaimStatus.AlreadySent, withoutKey.Status);
        Assert.Equal("ses-0004", withoutKey.ProviderMessageId);
        Assert.Equal(LedgerClaimStatus.AlreadySent, withAnotherKey.Status);
    }

    [Fact]
    public async Task RejectedChange_IsNotClaimedAgainByAnyDelivery()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var messageId = NewMessageId();
        var claim = await ledger.ClaimAsync(messageId, key, CancellationToken.None);

        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkRejectedAsync(claim.Lease!, "MessageRejected", CancellationToken.None));
        Time.Advance(Lease * 3);

        var retry = await ledger.ClaimAsync(messageId, key, CancellationToken.None);
        var other = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.AlreadyRejected, retry.Status);
        Assert.Equal("MessageRejected", retry.ErrorCode);
        Assert.Equal(LedgerClaimStatus.AlreadyRejected, other.Status);
    }

    [Fact]
    public async Task UncertainSendThatCannotBeRepeated_IsFinalForEveryDelivery()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var messageId = NewMessageId();
        var claim = await ledger.ClaimAsync(messageId, key, CancellationToken.None);

        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkUncertainAsync(claim.Lease!, "Timeout", CancellationToken.None));
        Time.Advance(Lease * 3);

        var retry = await ledger.ClaimAsync(messageId, key, CancellationToken.None);
        var other = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.AlreadyUncertain, retry.Status);
        Assert.Equal("Timeout", retry.ErrorCode);
        Assert.Equal(LedgerClaimStatus.AlreadyUncertain, other.Status);
    }

    [Fact]
    public async Task RepeatableUncertainSend_IsHandedToTheNextClaimAndSurvivesAFailedRepeat()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var firstSent = new DateTimeOffset(2026, 3, 1, 12, 0, 7, TimeSpan.Zero);
        var first = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Null(first.Lease!.Pending);

        Assert.Equal(LedgerWriteResult.Recorded, await ledger.ReleaseForRepeatAsync(first.Lease, new UncertainSend(1, firstSent), CancellationToken.None));
        var second = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);

        Assert.Equal(LedgerClaimStatus.Claimed, second.Status);
        Assert.Equal(2, second.Lease!.Attempt);
        Assert.Equal(new UncertainSend(1, firstSent), second.Lease.Pending);

        // The repeat failed transiently: that says nothing about the first send, which stays pending.
        Assert.Equal(LedgerWriteResult.Recorded, await ledger.ReleaseAsync(second.Lease, CancellationToken.None));
        var third = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Equal(new UncertainSend(1, firstSent), third.Lease!.Pending);

        // A lease that expired is taken over with the pending send too.
        Time.Advance(Lease + TimeSpan.FromSeconds(1));
        var taker = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Equal(new UncertainSend(1, firstSent), taker.Lease!.Pending);

        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkSentAsync(taker.Lease, "acs-op", CancellationToken.None));
        Assert.Equal(LedgerClaimStatus.AlreadySent, (await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task TakenOverLease_CanNoLongerBeReleasedOrRejected()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var slow = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Time.Advance(Lease + TimeSpan.FromSeconds(1));
        var taker = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, taker.Status);

        Assert.Equal(LedgerWriteResult.ClaimLost, await ledger.MarkRejectedAsync(slow.Lease!, "MessageRejected", CancellationToken.None));
        Assert.Equal(LedgerWriteResult.ClaimLost, await ledger.ReleaseAsync(slow.Lease!, CancellationToken.None));
        Assert.Equal(LedgerClaimStatus.InProgress, (await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task MailSentAfterTheLeaseWasTakenOver_IsStillRecordedAsSent()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var slow = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);
        Time.Advance(Lease + TimeSpan.FromSeconds(1));
        var taker = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);

        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkSentAsync(slow.Lease!, "ses-slow", CancellationToken.None));
        Assert.Equal(LedgerWriteResult.ClaimLost, await ledger.ReleaseAsync(taker.Lease!, CancellationToken.None));
        var later = await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None);

        Assert.Equal(LedgerClaimStatus.AlreadySent, later.Status);
        Assert.Equal("ses-slow", later.ProviderMessageId);
        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkSentAsync(taker.Lease!, "ses-taker", CancellationToken.None));
    }

    [Theory]
    [MemberData(nameof(HostileTexts))]
    public async Task HostileKeyText_IsStoredAndDeduplicated(string text)
    {
        var ledger = await CreateLedgerAsync();
        var key = new ChangeKey(text, text, text, text);

        var claim = await ledger.ClaimAsync(text, key, CancellationToken.None);
        Assert.Equal(LedgerClaimStatus.Claimed, claim.Status);
        Assert.Equal(LedgerWriteResult.Recorded, await ledger.MarkSentAsync(claim.Lease!, text, CancellationToken.None));

        Assert.Equal(LedgerClaimStatus.AlreadySent, (await ledger.ClaimAsync(text, key, CancellationToken.None)).Status);
        Assert.Equal(LedgerClaimStatus.AlreadySent, (await ledger.ClaimAsync(text, null, CancellationToken.None)).Status);
        Assert.Equal(LedgerClaimStatus.AlreadySent, (await ledger.ClaimAsync(NewMessageId(), key, CancellationToken.None)).Status);
        Assert.Equal(LedgerClaimStatus.Claimed, (await ledger.ClaimAsync(text + "x", key with { Version = text + "x" }, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task ChangeKeysSplittingTheSameTextDifferently_AreDifferentChanges()
    {
        var ledger = await CreateLedgerAsync();
        var first = await ledger.ClaimAsync(NewMessageId(), new ChangeKey("1", "a/b", "c", "d"), CancellationToken.None);
        var second = await ledger.ClaimAsync(NewMessageId(), new ChangeKey("1", "a", "b/c", "d"), CancellationToken.None);

        Assert.Equal(LedgerClaimStatus.Claimed, first.Status);
        Assert.Equal(LedgerClaimStatus.Claimed, second.Status);
    }

    [Fact]
    public async Task TwentyConcurrentDeliveriesOfOneChange_YieldExactlyOneClaim()
    {
        var ledger = await CreateLedgerAsync();
        var key = NewChangeKey();
        var messageId = NewMessageId();

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            Task.Run(() => ledger.ClaimAsync(i % 2 == 0 ? messageId : NewMessageId(), key, CancellationToken.None))));

        Assert.Single(claims, static c => c.Status == LedgerClaimStatus.Claimed);
        Assert.Equal(19, claims.Count(static c => c.Status == LedgerClaimStatus.InProgress));
    }

    [Fact]
    public async Task TwentyConcurrentDeliveriesOfOneMessageWithoutChangeKey_YieldExactlyOneClaim()
    {
        var ledger = await CreateLedgerAsync();
        var messageId = NewMessageId();

        var claims = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            Task.Run(() => ledger.ClaimAsync(messageId, null, CancellationToken.None))));

        Assert.Single(claims, static c => c.Status == LedgerClaimStatus.Claimed);
        Assert.Equal(19, claims.Count(static c => c.Status == LedgerClaimStatus.InProgress));
    }

    [Fact]
    public async Task Purge_DeletesEntriesOlderThanTheHorizonAndKeepsNewerOnes()
    {
        var ledger = await CreateLedgerAsync();
        var oldKey = NewChangeKey();
        var oldMessage = NewMessageId();
        var old = await ledger.ClaimAsync(oldMessage, oldKey, CancellationToken.None);
        await ledger.MarkSentAsync(old.Lease!, "ses-old", CancellationToken.None);
        Time.Advance(TimeSpan.FromDays(31));
        var recentKey = NewChangeKey();
        var recent = await ledger.ClaimAsync(NewMessageId(), recentKey, CancellationToken.None);
        await ledger.MarkSentAsync(recent.Lease!, "ses-new", CancellationToken.None);
        var live = await ledger.ClaimAsync(NewMessageId(), null, CancellationToken.None);

        var purged = await ledger.PurgeAsync(Time.GetUtcNow() - TimeSpan.FromDays(30), CancellationToken.None);

        Assert.Equal(2, purged);
        Assert.Equal(LedgerClaimStatus.Claimed, (await ledger.ClaimAsync(oldMessage, oldKey, CancellationToken.None)).Status);
        Assert.Equal(LedgerClaimStatus.AlreadySent, (await ledger.ClaimAsync(NewMessageId(), recentKey, CancellationToken.None)).Status);
        Assert.Equal(LedgerClaimStatus.InProgress, (await ledger.ClaimAsync(live.MessageId!, null, CancellationToken.None)).Status);
    }

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    protected static ChangeKey NewChangeKey() =>
        new("123456789012", "eu-west-1", "sg-" + Guid.NewGuid().ToString("N")[..17], Guid.NewGuid().ToString("N"));

    protected static string NewMessageId() => Guid.NewGuid().ToString();

    protected T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>A fresh, empty ledger on <see cref="Time"/> with a <see cref="Lease"/> lease.</summary>
    protected abstract Task<INotificationLedger> CreateLedgerAsync();
}
