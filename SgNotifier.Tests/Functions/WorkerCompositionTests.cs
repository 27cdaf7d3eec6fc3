using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using Microsoft.ApplicationInsights.Channel;
using Microsoft.ApplicationInsights.DataContracts;
using Microsoft.ApplicationInsights.Extensibility;
using Microsoft.ApplicationInsights.WindowsServer.TelemetryChannel;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using SgNotifier.Core;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sns;
using SgNotifier.Functions;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Functions;

/// <summary>
/// The worker's telemetry as Program.cs composes it (<see cref="WorkerComposition.AddSgNotifierWorker"/>): the
/// app's Information events reach Application Insights, nothing is sampled, and the meter is exported to Azure Monitor.
/// Traces are caught by a channel registered before the SDK (which then uses it instead of its own), so what is
/// asserted is what the SDK would transmit.
/// </summary>
public sealed class WorkerCompositionTests
{
    /// <summary>The "one line per delivery" events that docs/operations.md queries, with the category that writes each.</summary>
    public static TheoryData<string, int> DeliveryEvents => new()
    {
        { typeof(SnsDeliveryHandler).FullName!, 1000 },
        { typeof(SnsSubscriptionConfirmer).FullName!, 1020 },
        { typeof(SgNotifier.Core.Sources.Config.ConfigChangeSource).FullName!, 2000 },
        { typeof(SgNotifier.Core.Sources.Config.ConfigChangeSource).FullName!, 2001 },
        { typeof(SesEmailSender).FullName!, 3000 },
        { typeof(ChangeNotifier).FullName!, 3100 },
    };

    [Fact]
    public async Task ApplicationInsightsSdkAlone_KeepsOnlyWarningsForItsProvider()
    {
        // The rule the worker composition must remove exists, under the name it looks for.
        await using var provider = new ServiceCollection().AddLogging().AddApplicationInsightsTelemetryWorkerService().BuildServiceProvider();

        var rules = provider.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules;

        var rule = Assert.Single(rules, static r => r.ProviderName == WorkerComposition.ApplicationInsightsLoggerProvider);
        Assert.Equal(LogLevel.Warning, rule.LogLevel);
    }

    [Fact]
    public async Task WorkerComposition_RemovesTheWarningOnlyRule()
    {
        await using var worker = new Worker();

        var rules = worker.Services.GetRequiredService<IOptions<LoggerFilterOptions>>().Value.Rules;

        Assert.DoesNotContain(rules, static r => r.ProviderName == WorkerComposition.ApplicationInsightsLoggerProvider);
    }

    [Theory]
    [MemberData(nameof(DeliveryEvents))]
    public async Task InformationEventOfTheApp_ReachesApplicationInsights(string category, int eventId)
    {
        await using var worker = new Worker();
        var logger = worker.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        logger.Log(LogLevel.Information, new EventId(eventId), "probe", null, static (state, _) => state);

        var trace = Assert.Single(worker.Traces(), t => Prop(t, "CategoryName") == category);
        Assert.Equal(SeverityLevel.Information, trace.SeverityLevel);
        Assert.Equal(eventId.ToString(System.Globalization.CultureInfo.InvariantCulture), trace.Properties["EventId"]);
    }

    [Fact]
    public async Task RealDelivery_SendsItsOneLinePerStageWithFields()
    {
        using var signer = new TestSnsSigner(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        await using var worker = new Worker(signer);
        var owner = ConfigChanges.UniqueOwner();
        var body = signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 41), DateTimeOffset.UtcNow);

        var result = await worker.Services.GetRequiredService<SnsDeliveryHandler>().HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None);

        Assert.Equal(NotifyReasons.Sent, result.Reason);
        var traces = worker.Traces();
        var delivery = Assert.Single(traces, static t => Prop(t, "EventId") == "1000");
        Assert.Equal(("notify", "sent", result.Message!.MessageId), (delivery.Properties["Outcome"], delivery.Properties["Reason"], delivery.Properties["MessageId"]));
        var decided = Assert.Single(traces, static t => Prop(t, "EventId") == "2000");
        Assert.Equal("True", decided.Properties["IsRisky"]);
        Assert.Contains(traces, static t => Prop(t, "EventId") == "3100");
        Assert.All(traces, t => Assert.DoesNotContain(owner, t.Message + string.Join(' ', t.Properties.Values), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AdaptiveSampling_IsOffInTheWorker()
    {
        await using var sdkDefault = new ServiceCollection().AddLogging().AddApplicationInsightsTelemetryWorkerService(static o => o.ConnectionString = Worker.ConnectionString(new Uri("http://127.0.0.1:9/")))
            .BuildServiceProvider();
        Assert.Contains(Processors(sdkDefault), static p => p is AdaptiveSamplingTelemetryProcessor);

        await using var worker = new Worker();

        Assert.DoesNotContain(Processors(worker.Services), static p => p is AdaptiveSamplingTelemetryProcessor);
    }

    [Fact]
    public async Task WithoutAConnectionString_NoMetricsExporterIsRegistered()
    {
        await using var worker = new Worker(connectionString: false);

        Assert.Null(worker.Services.GetService<MeterProvider>());
    }

    [Fact]
    public async Task Metrics_AreExportedToTheAzureMonitorIngestionEndpoint()
    {
        var posted = new ConcurrentQueue<string>();
        await using var ingestion = await LoopbackHttpStub.StartAsync(async (context, request) =>
        {
            posted.Enqueue(request.Headers.GetValueOrDefault("Content-Encoding") == "gzip" ? Gunzip(request.Body) : request.BodyText);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"itemsReceived\":1,\"itemsAccepted\":1,\"errors\":[]}");
        });
        await using var worker = new Worker(ingestion: ingestion.BaseUri);
        var meterProvider = worker.Services.GetRequiredService<MeterProvider>();

        await worker.Services.GetRequiredService<SnsDeliveryHandler>()
            .HandleAsync(new MemoryStream("not json"u8.ToArray()), SnsRequestHeaders.None, CancellationToken.None);
        Assert.True(meterProvider.ForceFlush(10_000));

        var metrics = string.Join('\n', posted);
        Assert.Contains("sgnotifier.deliveries", metrics, StringComparison.Ordinal);
        Assert.Contains("invalid-json", metrics, StringComparison.Ordinal);
        Assert.Contains("sgnotifier.delivery.duration", metrics, StringComparison.Ordinal);
    }

    private static string? Prop(TraceTelemetry trace, string name) => trace.Properties.TryGetValue(name, out var value) ? value : null;

    private static IEnumerable<ITelemetryProcessor> Processors(IServiceProvider services) =>
        services.GetRequiredService<TelemetryConfiguration>().DefaultTelemetrySink.TelemetryProcessors;

    private static string Gunzip(byte[] body)
    {
        using var gzip = new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>The worker's service collection, with a recording channel and test doubles only at the network edge.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly RecordingChannel _channel = new();

        public Worker(TestSnsSigner? signer = null, bool connectionString = true, Uri? ingestion = null)
        {
            var settings = new Dictionary<string, string?>
            {
                ["Sns:AllowedTopicArns:0"] = ConfigChanges.Topic,
                ["Notify:AllowedRecipientDomains:0"] = "example.com",
                ["Email:Provider"] = "Outbox",
                ["Email:Outbox:Directory"] = Path.Combine(Path.GetTempPath(), "sgnotifier-worker-" + Guid.NewGuid().ToString("N")),
                ["Ledger:Provider"] = "Memory",
            };
            if (connectionString)
            {
                settings[WorkerComposition.ConnectionStringSetting] = ConnectionString(ingestion ?? new Uri("http://127.0.0.1:9/"));
            }

            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            var services = new ServiceCollection();
            services.AddSingleton<IConfiguration>(configuration);
            services.AddLogging();
            services.AddSingleton<ITelemetryChannel>(_channel);
            services.AddSgNotifierWorker(configuration, "Production");
            if (signer is not null)
            {
                services.AddHttpClient(SigningCertificateCache.HttpClientName).ConfigurePrimaryHttpMessageHandler(signer.CertificateServer);
            }

            Services = services.BuildServiceProvider();
        }

        public ServiceProvider Services { get; }

        public static string ConnectionString(Uri ingestion) =>
            "InstrumentationKey=00000000-0000-0000-0000-000000000015;IngestionEndpoint=" + ingestion;

        public IReadOnlyList<TraceTelemetry> Traces()
        {
            Services.GetRequiredService<TelemetryConfiguration>().TelemetryChannel.Flush();
            return _channel.Items.OfType<TraceTelemetry>().ToList();
        }

        public ValueTask DisposeAsync() => Services.DisposeAsync();
    }

    private sealed class RecordingChannel : ITelemetryChannel
    {
        public ConcurrentQueue<ITelemetry> Items { get; } = new();

        public bool? DeveloperMode { get; set; }

        public string? EndpointAddress { get; set; }

        public void Send(ITelemetry item) => Items.Enqueue(item);

        public void Flush()
        {
        }

        public void Dispose()
        {
        }
    }
}
