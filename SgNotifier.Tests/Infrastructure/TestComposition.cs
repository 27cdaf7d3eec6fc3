using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core;

namespace SgNotifier.Tests.Infrastructure;

public static class TestComposition
{
    /// <summary>The real composition with a minimal valid production configuration.</summary>
    public static IServiceCollection AddSgNotifierForTests(this IServiceCollection services, IDictionary<string, string?>? settings = null, string environment = "Production")
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(SnsTestHost.RequiredDefaults)
            .AddInMemoryCollection(settings ?? new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = SnsTestHost.DefaultTopics })
            .Build();
        services.AddLogging();
        return services.AddSgNotifier(configuration, environment);
    }
}
