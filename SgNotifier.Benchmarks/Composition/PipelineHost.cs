using Microsoft.Extensions.Configuration;
using Amazon.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;
using SgNotifier.Core;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sns;

namespace SgNotifier.Benchmarks.Composition;

/// <summary>
/// The app's real composition (<c>AddSgNotifier</c> from in-memory settings, Production environment) with only the
/// edges replaced: a stopped clock, the certificate download answered in process, the in-memory sender and a ledger
/// that lets the same change be claimed again. Logging has no provider, as a host with logging off would. With
/// <c>ec2</c>, both sources are on (<c>Notify:Sources</c> = Config, CloudTrail; the in-memory coverage and group
/// directory) and EC2 is answered in process with fixed credentials, so no AWS call leaves the process.
/// </summary>
internal sealed class PipelineHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    public PipelineHost(string allowedTopicArn, DateTimeOffset now, string certificateFileName, byte[] certificatePem, InProcessEc2? ec2 = null)
    {
        var settings = new Dictionary<string, string?>
            {
                ["Sns:AllowedTopicArns:0"] = allowedTopicArn,
                ["Notify:AllowedRecipientDomains:0"] = "example.com",
                ["Email:Provider"] = "Ses",
                ["Email:From"] = "sg-alerts@example.com",
                ["Email:Ses:Region"] = "us-east-1",
                ["Email:Ses:AccessKeyId"] = "AKIDEXAMPLE",
                ["Email:Ses:SecretAccessKey"] = "benchmark-secret-never-used",
                ["Ledger:Provider"] = "Memory",
            };
        if (ec2 is not null)
        {
            settings["Notify:Sources:0"] = "Config";
            settings["Notify:Sources:1"] = "CloudTrail";

            // Never reached (the handler answers), but a seam that failed to apply must not call AWS.
            settings["Aws:Ec2ServiceUrl"] = "https://ec2.benchmark.invalid";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FixedTimeProvider(now));
        services.AddSgNotifier(configuration, "Production");
        services.AddHttpClient(SigningCertificateCache.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new CertificateServer(certificateFileName, certificatePem));
        services.AddSingleton(Sender);
        services.AddSingleton<IEmailSender>(Sender);
        services.AddSingleton<INotificationLedger>(static sp => new ReclaimableLedger(sp.GetRequiredService<MemoryNotificationLedger>()));
        if (ec2 is not null)
        {
            services.AddSingleton(static sp => new AwsCredentialCache(
                sp.GetRequiredService<IOptions<AwsOptions>>().Value, sp.GetRequiredService<TimeProvider>(), NullLogger<AwsCredentialCache>.Instance,
                tokenCredential: null, new BasicAWSCredentials("AKIDBENCHMARKEXAMPLE", "benchmark-secret-never-used")));
            services.AddSingleton(sp => new AwsClients(sp.GetRequiredService<IOptions<AwsOptions>>(), sp.GetRequiredService<AwsCredentialCache>(), ec2.Factory));
        }

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
