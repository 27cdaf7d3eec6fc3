using System.ComponentModel.DataAnnotations;

namespace SgNotifier.Core.Ledger;

public sealed class LedgerOptions
{
    public const string Section = "Ledger";

    /// <summary>
    /// <c>Table</c> or <c>Memory</c>. When unset, <c>Table</c> if any of <c>Ledger:ConnectionString</c>,
    /// <c>Ledger:TableEndpoint</c> or <c>AzureWebJobsStorage</c> is configured, else <c>Memory</c>.
    /// </summary>
    public LedgerProvider? Provider { get; set; }

    /// <summary>A storage connection string; falls back to <c>AzureWebJobsStorage</c>. <c>UseDevelopmentStorage=true</c> is Azurite.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The table service endpoint, e.g. <c>https://account.table.core.windows.net</c>, reached with <c>DefaultAzureCredential</c>.</summary>
    public string? TableEndpoint { get; set; }

    /// <summary>Created on start when missing.</summary>
    [Required(ErrorMessage = "Ledger:TableName is required.")]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Ledger:TableName must be 3-63 letters or digits, starting with a letter.")]
    public string TableName { get; set; } = "SgNotifierLedger";

    /// <summary>The group directory's table (issue 17), in the same storage account; created on start when missing.</summary>
    [Required(ErrorMessage = "Ledger:GroupTableName is required.")]
    [RegularExpression("^[A-Za-z][A-Za-z0-9]{2,62}$", ErrorMessage = "Ledger:GroupTableName must be 3-63 letters or digits, starting with a letter.")]
    public string GroupTableName { get; set; } = "SgNotifierGroups";

    /// <summary>How long a claim blocks other deliveries; must outlast the slowest send, or a slow send can be taken over.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "01:00:00", ErrorMessage = "Ledger:LeaseDuration must be between 00:00:10 and 01:00:00.")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 3650, ErrorMessage = "Ledger:RetentionDays must be between 1 and 3650.")]
    public int RetentionDays { get; set; } = 30;
}
