using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Ledger;

namespace SgNotifier.Core;

public static class SgNotifierServiceCollectionExtensions
{
    /// <summary>The only DI wiring of SgNotifier: every host (Functions, the CLI's serve and preview) calls this.</summary>
    public static IServiceCollection AddSgNotifier(this IServiceCollection services, IConfiguration configuration, string environmentName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environmentName);
        services.AddSingleton(TimeProvider.System);

        // Ledger
        services.AddOptions<LedgerOptions>()
            .Bind(configuration.GetSection(LedgerOptions.Section))
            .PostConfigure(ledger =>
            {
                // The Functions host's own storage is the default store: its connection string, or its identity-based
                // endpoint setting (AzureWebJobsStorage__tableServiceUri).
                if (string.IsNullOrEmpty(ledger.ConnectionString) && string.IsNullOrEmpty(ledger.TableEndpoint))
                {
                    ledger.ConnectionString = configuration["AzureWebJobsStorage"] is { Length: > 0 } storage ? storage : null;
                    ledger.TableEndpoint = ledger.ConnectionString is null ? configuration["AzureWebJobsStorage:tableServiceUri"] : null;
                }

                ledger.Provider ??= string.IsNullOrEmpty(ledger.ConnectionString) && string.IsNullOrEmpty(ledger.TableEndpoint)
                    ? LedgerProvider.Memory
                    : LedgerProvider.Table;
            })
            .ValidateDataAnnotations()
            .Validate(
                static ledger => ledger.Provider != LedgerProvider.Table ||
                    !string.IsNullOrEmpty(ledger.ConnectionString) || !string.IsNullOrEmpty(ledger.TableEndpoint),
                "Ledger:Provider is Table, but none of Ledger:ConnectionString, AzureWebJobsStorage or Ledger:TableEndpoint is set.")
            .Validate(
                static ledger => string.IsNullOrEmpty(ledger.ConnectionString) || string.IsNullOrEmpty(ledger.TableEndpoint),
                "Set Ledger:ConnectionString or Ledger:TableEndpoint, not both.")
            .Validate(
                static ledger => ledger.Provider != LedgerProvider.Table || string.IsNullOrEmpty(ledger.ConnectionString) ||
                    TableNotificationLedger.IsConnectionString(ledger.ConnectionString),
                "Ledger:ConnectionString (or AzureWebJobsStorage, its fallback) is not a valid Azure Storage connection string.")
            .Validate(
                static ledger => ledger.Provider != LedgerProvider.Table || string.IsNullOrEmpty(ledger.TableEndpoint) ||
                    (Uri.TryCreate(ledger.TableEndpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme == Uri.UriSchemeHttps),
                "Ledger:TableEndpoint (or AzureWebJobsStorage:tableServiceUri) must be an absolute https URI: managed identity tokens are sent only over TLS.")
            .Validate(
                static ledger => !string.Equals(ledger.TableName, "tables", StringComparison.OrdinalIgnoreCase),
                "Ledger:TableName 'tables' is reserved by Table Storage.")
            .ValidateOnStart();
        services.AddSingleton<TableNotificationLedger>();
        services.AddSingleton<MemoryNotificationLedger>();
        services.AddSingleton<INotificationLedger>(static provider =>
            provider.GetRequiredService<IOptions<LedgerOptions>>().Value.Provider == LedgerProvider.Table
                ? provider.GetRequiredService<TableNotificationLedger>()
                : provider.GetRequiredService<MemoryNotificationLedger>());
        services.AddHostedService<LedgerTableStartup>();
        services.AddSingleton<LedgerPurger>();
        return services;
    }
}
