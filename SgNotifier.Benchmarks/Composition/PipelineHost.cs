using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sns;

namespace SgNotifier.Benchmarks.Composition;

/// <summary>
/// The app's real composition (<c>AddSgNotifier</c> from in-memory settings, Production environment) with only the
/// edges replaced: a stopped clock, the certificate download answered in process, the in-memory sender and a ledger
/// that lets the same change be claimed again. Logging has no provider, as a host with logging off would.
/// </summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public PipelineHost(string allowedTopicArn, DateTimeOffset now, string certificateFileName, byte[] certificatePem)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sns:AllowedTopicArns:0"] = allowedTopicArn,
                ["Notify:AllowedRecipientDomains:0"] = "example.com",
                ["Email:Provider"] = "Ses",
                ["Email:From"] = "sg-alerts@example.com",
                ["Email:Ses:Region"] = "us-east-1",
                ["Email:Ses:AccessKeyId"] = "AKIDEXAMPLE",
                ["Email:Ses:SecretAccessKey"] = "benchmark-secret-never-used",
                ["Ledger:Provider"] = "Memory",
            })
            .Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FixedTimeProvider(now));
        services.AddSgNotifier(configuration, "Production");
        services.AddHttpClient(SigningCertificateCache.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new CertificateServer(certificateFileName, certificatePem));
        services.AddSingleton(Sender);
        services.AddSingleton<IEmailSender>(Sender);
        services.AddSingleton<INotificationLedger>(static sp => new ReclaimableLedger(sp.GetRequiredService<MemoryNotificationLedger>()));
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _provider.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>().Validate();

        Handler = _provider.GetRequiredService<SnsDeliveryHandler>();
        Verifier = _provider.GetRequiredService<SnsMessageVerifier>();
    }

    public InMemoryEmailSender Sender { get; } = new();

    public SnsDeliveryHandler Handler { get; }

    public SnsMessageVerifier Verifier { get; }

    public T Get<T>()
        where T : notnull => _provider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
