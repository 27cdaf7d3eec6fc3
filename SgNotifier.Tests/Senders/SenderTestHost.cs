using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using SgNotifier.Core;
using SgNotifier.Core.Email;
using SgNotifier.Core.Senders;

namespace SgNotifier.Tests.Senders;

/// <summary>The real container, built from in-memory configuration, with logs collected for assertions.</summary>
internal sealed class SenderTestHost : IDisposable
{
    private readonly ServiceProvider _services;

    public SenderTestHost(IDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        _services = new ServiceCollection()
            .AddFakeLogging()
            .AddSgNotifier(configuration, "Production")
            .BuildServiceProvider();
    }

    public IEmailSender Sender => _services.GetRequiredService<IEmailSender>();

    public FakeLogCollector Logs => _services.GetRequiredService<FakeLogCollector>();

    public static Dictionary<string, string?> Ses(Uri serviceUrl) => new()
    {
        ["Email:Provider"] = "Ses",
        ["Email:From"] = "sg-alerts@example.com",
        ["Email:Ses:Region"] = "us-east-1",
        ["Email:Ses:ServiceUrl"] = serviceUrl.AbsoluteUri,
        ["Email:Ses:AccessKeyId"] = "AKIDEXAMPLE",
        ["Email:Ses:SecretAccessKey"] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        // Generous enough for a loaded 2-core CI machine; tests about timeouts set their own.
        ["Email:Retry:AttemptTimeout"] = "00:00:05",
        ["Email:Retry:TotalTimeout"] = "00:00:12",
    };

    public static Dictionary<string, string?> Acs(Uri endpoint, string accessKey) => new()
    {
        ["Email:Provider"] = "Acs",
        ["Email:From"] = "DoNotReply@example.azurecomm.net",
        ["Email:Acs:ConnectionString"] = $"endpoint={endpoint.AbsoluteUri};accesskey={accessKey}",
        ["Email:Acs:PollBudget"] = "00:00:03",
        // Generous enough for a loaded 2-core CI machine; tests about timeouts set their own.
        ["Email:Retry:AttemptTimeout"] = "00:00:05",
        ["Email:Retry:TotalTimeout"] = "00:00:12",
    };

    public static OutgoingEmail Mail(string to, string subject, string key = "123456789012/us-east-1/sg-0abc/1") =>
        new([to], new RenderedEmail(subject, "plain body ✓", "<p>html body ✓</p>"), key);

    public void Dispose() => _services.Dispose();
}
