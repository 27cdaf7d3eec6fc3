namespace SgNotifier.Core.Ledger;

/// <summary>The answer to <see cref="INotificationLedger.ClaimAsync"/>.</summary>
/// <param name="Lease">Present when <see cref="LedgerClaimStatus.Claimed"/>: pass it to mark sent, rejected or released.</param>
/// <param name="MessageId">The SNS MessageId that holds (or finished) the entry, when known: a duplicate's original.</param>
/// <param name="ProviderMessageId">The provider's id of the mail already sent.</param>
/// <param name="ErrorCode">The provider's error code of an earlier permanent rejection.</param>
/// <param name="CompletedAt">When the entry was marked sent or rejected.</param>
/// <param name="LeaseExpiresAt">When the live lease of another delivery expires (<see cref="LedgerClaimStatus.InProgress"/>).</param>
public sealed record LedgerClaim(
    LedgerClaimStatus Status,
    LedgerLease? Lease,
    string? MessageId,
    string? ProviderMessageId,
    string? ErrorCode,
    DateTimeOffset? CompletedAt,
    DateTimeOffset? LeaseExpiresAt)
{
    public static LedgerClaim Unavailable { get; } = new(LedgerClaimStatus.Unavailable, null, null, null, null, null, null);

    public static LedgerClaim Claimed(LedgerLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return new(LedgerClaimStatus.Claimed, lease, lease.MessageId, null, null, null, lease.ExpiresAt);
    }

    public static LedgerClaim AlreadySent(string? messageId, string? providerMessageId, DateTimeOffset? completedAt) =>
        new(LedgerClaimStatus.AlreadySent, null, messageId, providerMessageId, null, completedAt, null);

    public static LedgerClaim AlreadyRejected(string? messageId, string? errorCode, DateTimeOffset? completedAt) =>
        new(LedgerClaimStatus.AlreadyRejected, null, messageId, null, errorCode, completedAt, null);

    public static LedgerClaim AlreadyUncertain(string? messageId, string? errorCode, DateTimeOffset? completedAt) =>
        new(LedgerClaimStatus.AlreadyUncertain, null, messageId, null, errorCode, completedAt, null);

    public static LedgerClaim InProgress(string? messageId, DateTimeOffset? leaseExpiresAt) =>
        new(LedgerClaimStatus.InProgress, null, messageId, null, null, null, leaseExpiresAt);
}
