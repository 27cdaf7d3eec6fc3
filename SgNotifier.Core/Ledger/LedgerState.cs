namespace SgNotifier.Core.Ledger;

internal enum LedgerState
{
    /// <summary>Written by a newer version, or damaged: treated as busy, never as free to send.</summary>
    Unknown,
    Claimed,
    Released,
    Sent,
    Rejected,

    /// <summary>A send whose fate is unknown and that cannot be repeated safely: reported, never resent.</summary>
    Uncertain,
}
