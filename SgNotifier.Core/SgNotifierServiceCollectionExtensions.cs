using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Sns;

namespace SgNotifier.Core;

public static class SgNotifierServiceCollectionExtensions
{
    public const string DevelopmentEnvironment = "Development";

    /// <summary>
    /// The only DI wiring of SgNotifier: the Functions app and every CLI command call this. Options are bound,
    /// validated and checked at start, so a misconfigured app refuses to start with a message naming the key.
    /// </summary>
    public static IServiceCollection AddSgNotifier(this IServiceCollection services, IConfiguration configuration, string environmentName)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environmentName);
        var development = string.Equals(environmentName, DevelopmentEnvironment, StringComparison.OrdinalIgnoreCase);

        services.TryAddSingletonTimeProvider();

        // SNS: verification and subscription confirmation
        services.AddOptions<SnsOptions>()
            .Bind(configuration.GetSection(SnsOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.VerifySignatures || development,
                "Sns:VerifySignatures may be false only when the environment (AZURE_FUNCTIONS_ENVIRONMENT or DOTNET_ENVIRONMENT) is Development")
            .Validate(o => o.AllowedTopicArns.Count > 0 || development,
                "Sns:AllowedTopicArns is empty: list the SNS topic ARNs whose messages this app accepts")
            .Validate(o => o.AllowedTopicArns.All(arn => TopicArn.TryParse(arn, out _)),
                "Sns:AllowedTopicArns holds a value that is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")
            .ValidateOnStart();
        services.AddHttpClient(SigningCertificateCache.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddHttpClient(SnsSubscriptionConfirmer.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        services.AddSingleton<SigningCertificateCache>();
        services.AddSingleton<SnsMessageVerifier>();
        services.AddSingleton<SnsSubscriptionConfirmer>();
        services.AddSingleton<SnsDeliveryHandler>();

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

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(static d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
