using Azure.Monitor.OpenTelemetry.Exporter;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SgNotifier.Core;

namespace SgNotifier.Functions;

/// <summary>
/// The worker's services as <c>Program.cs</c> builds them: Application Insights for the app's own logs, the
/// <c>SgNotifier</c> meter exported to Azure Monitor, then <c>AddSgNotifier</c>. A method of its own so that a test can
/// build exactly this and prove the telemetry arrives (WorkerCompositionTests).
/// </summary>
public static class WorkerComposition
{
    /// <summary>The provider whose Warning-and-above rule the Application Insights SDK adds.</summary>
    public const string ApplicationInsightsLoggerProvider = "Microsoft.Extensions.Logging.ApplicationInsights.ApplicationInsightsLoggerProvider";

    /// <summary>The app setting the Functions platform and the Application Insights SDK read.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public static IServiceCollection AddSgNotifierWorker(this IServiceCollection services, IConfiguration configuration, string environmentName)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // No sampling in the worker: its telemetry is a few log lines and dependency calls per SNS delivery (one per
        // security-group change), and the one line per delivery (events 1000–3100) is what "what happened to message
        // X" needs — an estimate is no answer. Volume is capped by the workspace's daily cap instead (docs/operations.md).
        services.AddApplicationInsightsTelemetryWorkerService(static options => options.EnableAdaptiveSampling = false)
            .ConfigureFunctionsApplicationInsights();

        // The SDK lets only Warning and above reach Application Insights, and the worker ships its own logs (the host
        // does not forward them), so without this the Information events never arrive. As Microsoft's isolated-worker
        // guide shows: remove that rule; the level then comes from the usual Logging configuration (Information).
        services.Configure<LoggerFilterOptions>(static options =>
        {
            var warningOnly = options.Rules.FirstOrDefault(static rule => rule.ProviderName == ApplicationInsightsLoggerProvider);
            if (warningOnly is not null)
            {
                options.Rules.Remove(warningOnly);
            }
        });

        // Metrics only where they have somewhere to go: locally and in tests a MeterListener still sees them.
        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(SgNotifierMetrics.MeterName)
                .AddAzureMonitorMetricExporter(exporter => exporter.ConnectionString = connectionString));
        }

        return services.AddSgNotifier(configuration, environmentName);
    }
}
