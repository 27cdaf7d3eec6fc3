using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core.Config;
using SgNotifier.Core.Routing;

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

        // Config, diff and routing
        services.AddOptions<NotifyOptions>().Bind(configuration.GetSection(NotifyOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AwsOptions>().Bind(configuration.GetSection(AwsOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OversizedConfigurationItemFetcher>();
        services.AddSingleton<Ec2SecurityGroupLookup>();
        services.AddSingleton<ConfigChangeInspector>();

        return services;
    }
}
