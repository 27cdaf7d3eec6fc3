using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Ledger;

/// <summary><c>Ledger:GroupTableName</c> must name a table of its own: not the ledger's, not Table's reserved name.</summary>
internal sealed class GroupTableNameValidation : IValidateOptions<LedgerOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.Equals(options.GroupTableName, "tables", StringComparison.OrdinalIgnoreCase)
                ? ValidateOptionsResult.Fail("Ledger:GroupTableName 'tables' is reserved by Table Storage.")
            : string.Equals(options.GroupTableName, options.TableName, StringComparison.OrdinalIgnoreCase)
                ? ValidateOptionsResult.Fail("Ledger:GroupTableName must differ from Ledger:TableName (table names are case-insensitive).")
            : ValidateOptionsResult.Success;
    }
}
