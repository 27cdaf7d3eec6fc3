namespace SgNotifier.Core.Ledger;

public enum LedgerWriteResult
{
    Recorded,

    /// <summary>The lease had expired and another delivery took the claim over (or finished it): nothing was written.</summary>
    ClaimLost,

    /// <summary>The ledger cannot be reached; an unreleased claim becomes claimable again when its lease expires.</summary>
    Unavailable,
}
