using SgNotifier.Core.Senders;

namespace SgNotifier.Core.Ledger;

/// <summary>One ledger entry as both implementations store it; the protocol's decisions live here, once.</summary>
/// <param name="ClaimId">Unique per claim: a claimant whose request timed out after the service applied it recognises its own claim.</param>
/// <param name="MessageId">The delivery that wrote the entry last: the claimant, or the one that sent.</param>
/// <param name="ChangeKey">The change key as text, for people reading the table.</param>
/// <param name="UpdatedAt">Ledger time of the last write; purge compares it with the retention horizon.</param>
/// <param name="Pending">A repeatable send of unknown fate: kept through releases and takeovers until the entry is final.</param>
internal sealed record LedgerRow(
    LedgerState State,
    string ClaimId,
    string MessageId,
    string? ChangeKey,
    int Attempt,
    DateTimeOffset LeaseExpiresAt,
    string? ProviderMessageId,
    string? ErrorCode,
    DateTimeOffset? CompletedAt,
    DateTimeOffset UpdatedAt,
    UncertainSend? Pending = null)
{
    public static LedgerRow Claimed(string messageId, string? changeKey, int attempt, DateTimeOffset now, TimeSpan leaseDuration, UncertainSend? pending = null) =>
        new(LedgerState.Claimed, Guid.NewGuid().ToString("N"), messageId, changeKey, attempt, now + leaseDuration, null, null, null, now, pending);

    /// <summary>The entry as the lease holder's claim wrote it.</summary>
    public static LedgerRow Of(LedgerLease lease, DateTimeOffset now) =>
        new(LedgerState.Claimed, lease.ClaimId, lease.MessageId, lease.ChangeKey?.ToString(), lease.Attempt, lease.ExpiresAt, null, null, null, now, lease.Pending);

    public LedgerRow Sent(LedgerLease lease, string providerMessageId, DateTimeOffset now) =>
        this with { State = LedgerState.Sent, ClaimId = lease.ClaimId, MessageId = lease.MessageId, ProviderMessageId = providerMessageId, ErrorCode = null, CompletedAt = now, LeaseExpiresAt = now, UpdatedAt = now, Pending = null };

    public LedgerRow Rejected(string errorCode, DateTimeOffset now) =>
        this with { State = LedgerState.Rejected, ErrorCode = errorCode, CompletedAt = now, LeaseExpiresAt = now, UpdatedAt = now, Pending = null };

    public LedgerRow Uncertain(string errorCode, DateTimeOffset now) =>
        this with { State = LedgerState.Uncertain, ErrorCode = errorCode, CompletedAt = now, LeaseExpiresAt = now, UpdatedAt = now, Pending = null };

    public LedgerRow Released(DateTimeOffset now) =>
        this with { State = LedgerState.Released, LeaseExpiresAt = now, UpdatedAt = now };

    public bool IsClaimedBy(string claimId) => State == LedgerState.Claimed && ClaimId == claimId;

    public bool IsFinal => State is LedgerState.Sent or LedgerState.Rejected or LedgerState.Uncertain;

    /// <summary>What a new claimant gets while this entry stands in its way, or null when it may take the entry over.</summary>
    public LedgerClaim? Blocks(DateTimeOffset now) => State switch
    {
        LedgerState.Sent => LedgerClaim.AlreadySent(MessageId, ProviderMessageId, CompletedAt),
        LedgerState.Rejected => LedgerClaim.AlreadyRejected(MessageId, ErrorCode, CompletedAt),
        LedgerState.Uncertain => LedgerClaim.AlreadyUncertain(MessageId, ErrorCode, CompletedAt),
        LedgerState.Claimed when LeaseExpiresAt > now => LedgerClaim.InProgress(MessageId, LeaseExpiresAt),
        LedgerState.Claimed or LedgerState.Released => null,
        _ => LedgerClaim.InProgress(MessageId, null),
    };
}
