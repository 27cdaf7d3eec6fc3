using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Ledger;

namespace SgNotifier.Core.Groups;

/// <summary>
/// The group directory's registrations, for <c>AddSgNotifier</c> to call after the Ledger block (whose
/// <see cref="LedgerOptions"/> binding, fallbacks and <c>ValidateOnStart</c> it relies on): the directory follows
/// <c>Ledger:Provider</c>, so Table storage for the ledger means Table storage for the directory.
/// </summary>
public static class GroupDirectoryServiceCollectionExtensions
{
    public static IServiceCollection AddGroupDirectory(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IValidateOptions<LedgerOptions>, GroupTableNameValidation>();
        services.AddSingleton<TableGroupDirectory>();
        services.AddSingleton<MemoryGroupDirectory>();
        services.AddSingleton<IGroupDirectory>(static provider =>
            provider.GetRequiredService<IOptions<LedgerOptions>>().Value.Provider == LedgerProvider.Table
                ? provider.GetRequiredService<TableGroupDirectory>()
                : provider.GetRequiredService<MemoryGroupDirectory>());
        services.AddHostedService<GroupTableStartup>();
        return services;
    }
}
