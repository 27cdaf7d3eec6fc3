using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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
        return services;
    }
}
