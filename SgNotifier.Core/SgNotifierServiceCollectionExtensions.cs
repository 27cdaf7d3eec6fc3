using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
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
