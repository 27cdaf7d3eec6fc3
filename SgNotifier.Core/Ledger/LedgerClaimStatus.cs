namespace SgNotifier.Core.Ledger;

public enum LedgerClaimStatus
{
    /// <summary>The caller holds the lease and may send.</summary>
    Claimed,

    /// <summary>Already mailed: answer without sending (<c>duplicate</c>).</summary>
    AlreadySent,

    /// <summary>The provider refused this change for good earlier: answer without sending.</summary>
    AlreadyRejected,

    /// <summary>An earlier send's fate was unknown and it could not be repeated safely: it was reported, nothing is sent again.</summary>
    AlreadyUncertain,

    /// <summary>Another delivery holds a live lease: answer 503 so SNS retries after it has finished or expired.</summary>
    InProgress,

    /// <summary>The ledger cannot be reached: answer 503 and never send unrecorded.</summary>
    Unavailable,
}
