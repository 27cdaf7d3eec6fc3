using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Proof of a claim, handed back to the ledger that issued it. Opaque: it carries the entry's key and the version
/// (ETag) the claim wrote, so a lease that was taken over after it expired can no longer change the entry.
/// </summary>
public sealed class LedgerLease
{
    internal LedgerLease(
        LedgerKey key, string version, string claimId, string messageId, ChangeKey? changeKey, int attempt, DateTimeOffset expiresAt, UncertainSend? pending = null)
    {
        Pending = pending;
        Key = key;
        Version = version;
        ClaimId = claimId;
        MessageId = messageId;
        ChangeKey = changeKey;
        Attempt = attempt;
        ExpiresAt = expiresAt;
    }

    public string MessageId { get; }

    public ChangeKey? ChangeKey { get; }

    /// <summary>1 for the first claim of the entry; higher after releases and takeovers of expired claims.</summary>
    public int Attempt { get; }

    public DateTimeOffset ExpiresAt { get; }

    /// <summary>An earlier send of this entry whose fate is unknown and that the provider recognises when repeated: send that again, not a fresh one.</summary>
    public UncertainSend? Pending { get; }

    internal LedgerKey Key { get; }

    internal string Version { get; }

    internal string ClaimId { get; }
}
