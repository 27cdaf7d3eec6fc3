using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core;
using SgNotifier.Core.Sns;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// The real composition (<c>AddSgNotifier</c>) with a fake clock and the outbound SNS calls (certificate download,
/// subscription confirmation) answered by stubs at the <see cref="HttpMessageHandler"/>.
/// End-to-end tests against the real emulators pass <c>TimeProvider.System</c>: the e-mail resilience pipeline
/// (Polly timeouts and retry delays) runs on the registered clock, and a fake one that never advances would stall it.
/// </summary>
public sealed class SnsTestHost : IDisposable
{
    public const string DefaultTopics = "arn:aws:sns:us-east-1:481746159046:config-topic";

    public SnsTestHost(
        IDictionary<string, string?>? settings = null,
        StubHttpMessageHandler? certificates = null,
        StubHttpMessageHandler? confirm = null,
        string environment = "Production",
        TimeProvider? timeProvider = null)
    {
        Certificates = certificates ?? StubHttpMessageHandler.ServingTestCertificates();
        Confirm = confirm ?? new StubHttpMessageHandler(_ => new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(RequiredDefaults)
            .AddInMemoryCollection(settings ?? AllowAllGenuineTopics())
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs));
        services.AddSingleton(timeProvider ?? Clock);
        services.AddSgNotifier(configuration, environment);
        services.AddHttpClient(SigningCertificateCache.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Certificates);
        services.AddHttpClient(SnsSubscriptionConfirmer.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => Confirm);
        services.AddHttpClient(SnsSubscriptionConfirmer.SignedHttpClientName).ConfigurePrimaryHttpMessageHandler(sp =>
            SnsSubscriptionConfirmer.CreateSigningHandler(sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<SnsOptions>>().Value, Confirm));
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>
    /// Settings required outside Development that tests would otherwise repeat everywhere: the test owners and
    /// fallback recipients are all at example.com.
    /// </summary>
    public static IReadOnlyDictionary<string, string?> RequiredDefaults { get; } = new Dictionary<string, string?>
    {
        ["Notify:AllowedRecipientDomains:0"] = "example.com",
    };

    /// <summary>The fake clock, registered unless the host was given another <see cref="TimeProvider"/>.</summary>
    public FakeTimeProvider Clock { get; } = new();

    public Microsoft.Extensions.Logging.Testing.FakeLoggerProvider Logs { get; } = new();

    public StubHttpMessageHandler Certificates { get; }

    public StubHttpMessageHandler Confirm { get; }

    public ServiceProvider Services { get; }

    public SnsDeliveryHandler Handler => Services.GetRequiredService<SnsDeliveryHandler>();

    /// <summary>Every topic of the genuine messages in TestData/Sns/genuine.</summary>
    public static Dictionary<string, string?> AllowAllGenuineTopics()
    {
        var settings = new Dictionary<string, string?>();
        var index = 0;
        foreach (var topic in GenuineMessages.All().Select(static m => m.Json.RootElement.GetProperty("TopicArn").GetString()).Distinct())
        {
            settings[$"Sns:AllowedTopicArns:{index++}"] = topic;
        }

        return settings;
    }

    /// <summary>Sets the clock to a message's own Timestamp plus a little: AWS's certificates have long expired.</summary>
    public void SetClockTo(string timestamp) =>
        Clock.SetUtcNow(DateTimeOffset.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(30));

    public void Dispose() => Services.Dispose();
}
