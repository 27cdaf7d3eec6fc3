using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Proof of a claim, handed back to the ledger that issued it. Opaque: it carries the entry's key and the version
/// (ETag) the claim wrote, so a lease that was taken over after it expired can no longer change the entry.
/// </summary>
public sealed class LedgerLease
{
    internal LedgerLease(LedgerKey key, string version, string claimId, string messageId, ChangeKey? changeKey, int attempt, DateTimeOffset expiresAt)
    {
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

    internal LedgerKey Key { get; }

    internal string Version { get; }

    internal string ClaimId { get; }
}
