using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Records which notifications were mailed so that each change reaches its owners once, across SNS retries, duplicate
/// deliveries, crashes and scale-out. Protocol: <see cref="ClaimAsync"/> before sending; then exactly one of
/// <see cref="MarkSentAsync"/>, <see cref="MarkRejectedAsync"/> or <see cref="ReleaseAsync"/>.
/// Expected storage failures are results (<see cref="LedgerClaimStatus.Unavailable"/>,
/// <see cref="LedgerWriteResult.Unavailable"/>), not exceptions.
/// </summary>
/// <remarks>
/// Two keys: the change key (account, region, resource, configurationStateId) is the dedupe key whenever the decision
/// has one, so two SNS messages carrying the same Config item produce one mail; the SNS MessageId is the key of
/// messages without a change key, and once a keyed change is final its MessageId row is written as well, so a retry
/// of that delivery is answered from it even if it no longer resolves to the same change key.
/// </remarks>
public interface INotificationLedger
{
    /// <summary>
    /// Claims the right to send for <paramref name="messageId"/> (and <paramref name="changeKey"/> when present):
    /// <see cref="LedgerClaimStatus.Claimed"/> carries a <see cref="LedgerLease"/> valid for <c>Ledger:LeaseDuration</c>;
    /// a released or expired claim is taken over by exactly one caller.
    /// </summary>
    Task<LedgerClaim> ClaimAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken);

    /// <summary>
    /// Reads, without claiming or writing, whether <paramref name="changeKey"/> (else <paramref name="messageId"/>) is
    /// already final: the <see cref="LedgerClaimStatus.AlreadySent"/>, <see cref="LedgerClaimStatus.AlreadyRejected"/>
    /// or <see cref="LedgerClaimStatus.AlreadyUncertain"/> answer <see cref="ClaimAsync"/> would give, else null (also
    /// when storage cannot be reached: the caller then takes the claim path as before). Lets a redelivery of a finished
    /// change be answered before any costly lookup (CloudTrail's 2 TPS).
    /// </summary>
    Task<LedgerClaim?> PeekFinalAsync(string messageId, ChangeKey? changeKey, CancellationToken cancellationToken);

    /// <summary>
    /// Records that the provider accepted the mail. A sent mail is a fact, so it is recorded even when the lease was
    /// lost meanwhile (logged as a possible double send): the result is <see cref="LedgerWriteResult.Recorded"/> or
    /// <see cref="LedgerWriteResult.Unavailable"/>, never <see cref="LedgerWriteResult.ClaimLost"/>.
    /// </summary>
    Task<LedgerWriteResult> MarkSentAsync(LedgerLease lease, string providerMessageId, CancellationToken cancellationToken);

    /// <summary>
    /// Records that the provider refused the mail for good. Final: later deliveries of the same change or message
    /// get <see cref="LedgerClaimStatus.AlreadyRejected"/> and do not resend (a permanent rejection would repeat, and
    /// SNS or Config re-emissions would otherwise retry it for an hour). Only the lease holder can record it.
    /// </summary>
    Task<LedgerWriteResult> MarkRejectedAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the claim back after a transient send failure, so the next delivery can claim it at once. A
    /// <see cref="LedgerLease.Pending"/> send stays pending: a failed repeat does not prove the first send failed.
    /// </summary>
    Task<LedgerWriteResult> ReleaseAsync(LedgerLease lease, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the claim back after a send whose fate is unknown but which the provider recognises when repeated: the
    /// next claim's lease carries <paramref name="repeat"/> as <see cref="LedgerLease.Pending"/>, so that delivery
    /// repeats exactly this request (ACS repeatability) instead of sending a new one.
    /// </summary>
    Task<LedgerWriteResult> ReleaseForRepeatAsync(LedgerLease lease, UncertainSend repeat, CancellationToken cancellationToken);

    /// <summary>
    /// Records that a send's fate is unknown and that it cannot be repeated safely (SES has no idempotency token). Final,
    /// like a rejection: later deliveries get <see cref="LedgerClaimStatus.AlreadyUncertain"/> and send nothing, so the
    /// change is mailed at most once and the possible miss is reported instead. Only the lease holder can record it.
    /// </summary>
    Task<LedgerWriteResult> MarkUncertainAsync(LedgerLease lease, string errorCode, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes entries last written before <paramref name="olderThan"/> and returns how many. Storage failures throw:
    /// purge runs from a timer, whose failed run is the signal, and the next run catches up.
    /// </summary>
    Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken);
}
