namespace SgNotifier.Core.Ledger;

public enum LedgerProvider
{
    /// <summary>Azure Table Storage: shared by every instance; the default whenever storage is configured.</summary>
    Table,

    /// <summary>In-process only: for single-process local runs; instances and restarts do not share it.</summary>
    Memory,
}
