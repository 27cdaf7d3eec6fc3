using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sns;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Fuzz;

/// <summary>
/// The real composition (<c>AddSgNotifier</c>) as the fuzz drives it: the in-memory ledger, every outbound SNS call
/// answered by a stub (certificates, subscription confirmation), and logs formatted (so a message template that
/// throws would be found) but dropped. Two shapes: Development with signatures off and the outbox sender, as
/// <c>sgnotifier serve</c> runs locally; and Production with signatures on, verified against the test signer's
/// certificate, with an in-memory sender (a real send is not the point there, and the outbox already has its turn).
/// </summary>
internal sealed class FuzzHost : IDisposable
{
    private readonly ServiceProvider _services;

    private FuzzHost(ServiceProvider services, MemoryEmailSender? sender)
    {
        _services = services;
        Handler = services.GetRequiredService<SnsDeliveryHandler>();
        MemorySender = sender;
    }

    public SnsDeliveryHandler Handler { get; }

    public MemoryEmailSender? MemorySender { get; }

    public static FuzzHost Development(string outboxDirectory) => Build("Development", new Dictionary<string, string?>
    {
        ["Sns:VerifySignatures"] = "false",
        ["Email:Provider"] = "Outbox",
        ["Email:Outbox:Directory"] = outboxDirectory,
    }, signer: null);

    public static FuzzHost Signed(TestSnsSigner signer) => Build("Production", [], signer);

    public void Dispose() => _services.Dispose();

    private static FuzzHost Build(string environment, Dictionary<string, string?> settings, TestSnsSigner? signer)
    {
        var topics = SnsTestHost.AllowAllGenuineTopics();
        topics[$"Sns:AllowedTopicArns:{topics.Count}"] = FuzzSeeds.Topic;
        foreach (var (key, value) in topics)
        {
            settings[key] = value;
        }

        settings["Notify:FallbackRecipients:0"] = "SecOps@example.com";
        settings["Notify:AllowedRecipientDomains:0"] = "example.com";
        settings["Notify:AllowedRecipientDomains:1"] = "example.org";

        var services = new ServiceCollection();
        var logs = new DiscardingLoggerProvider();
        services.AddLogging(logging => logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var clock = new FakeTimeProvider(FuzzSeeds.SignedAt.AddSeconds(5));
        services.AddSingleton<TimeProvider>(clock);
        services.AddSgNotifier(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), environment);

        var genuine = StubHttpMessageHandler.ServingTestCertificates();
        var certificates = signer is null ? genuine : new StubHttpMessageHandler(request =>
            request.RequestUri!.AbsolutePath.EndsWith(signer.CertificateName, StringComparison.Ordinal)
                ? signer.CertificateServer().Respond(request)
                : genuine.Respond(request));
        services.AddHttpClient(SigningCertificateCache.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => certificates);
        services.AddHttpClient(SnsSubscriptionConfirmer.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new StubHttpMessageHandler(_ => new HttpResponseMessage(HttpStatusCode.OK)));

        MemoryEmailSender? sender = null;
        if (signer is not null)
        {
            sender = new MemoryEmailSender();
            services.RemoveAll<IEmailSender>();
            services.AddSingleton<IEmailSender>(sender);
        }

        return new FuzzHost(services.BuildServiceProvider(), sender);
    }

    /// <summary>Accepts every mail and only counts it.</summary>
    internal sealed class MemoryEmailSender : IEmailSender
    {
        private int _sent;

        public string Provider => "memory";

        public int Sent => Volatile.Read(ref _sent);

        public Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
        {
            var id = Interlocked.Increment(ref _sent);
            return Task.FromResult(SendResult.Sent("memory-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    /// <summary>Formats every log entry, as a console or Application Insights would, and keeps nothing.</summary>
    internal sealed class DiscardingLoggerProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger();

        public void Dispose()
        {
        }

        private sealed class Logger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                ArgumentNullException.ThrowIfNull(formatter);
                _ = formatter(state, exception);
            }
        }
    }
}
