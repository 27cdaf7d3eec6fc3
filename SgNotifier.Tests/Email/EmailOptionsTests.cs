using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core;
using SgNotifier.Core.Email;
using SgNotifier.Core.Senders;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Email;

/// <summary>The real container from configuration: good settings choose one sender, bad ones stop the start naming the key.</summary>
public sealed class EmailOptionsTests
{
    [Fact]
    public void NoEmailSection_StartsWithTheOutbox()
    {
        using var services = Build([]);

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsType<OutboxEmailSender>(services.GetRequiredService<IEmailSender>());
        Assert.Equal("[SG change]", services.GetRequiredService<IOptions<EmailOptions>>().Value.SubjectPrefix);
        Assert.NotNull(services.GetRequiredService<EmailRenderer>());
    }

    [Theory]
    [InlineData("Ses", typeof(SesEmailSender))]
    [InlineData("ses", typeof(SesEmailSender))]
    [InlineData("Acs", typeof(AcsEmailSender))]
    public void Provider_ChoosesExactlyOneSender(string provider, Type expected)
    {
        using var services = Build(new()
        {
            ["Email:Provider"] = provider,
            ["Email:From"] = "sg-alerts@example.com",
            ["Email:Ses:Region"] = "eu-west-1",
            ["Email:Acs:ConnectionString"] = "endpoint=https://contoso.communication.azure.com/;accesskey=c2VjcmV0",
        });

        services.GetRequiredService<IStartupValidator>().Validate();

        Assert.IsType(expected, services.GetRequiredService<IEmailSender>());
        Assert.Single(services.GetServices<IEmailSender>());
    }

    public static TheoryData<Dictionary<string, string?>, string> BadSettings() => new()
    {
        { new() { ["Email:Provider"] = "Smtp" }, "Email:Provider" },
        { new() { ["Email:Provider"] = "Ses", ["Email:Ses:Region"] = "eu-west-1" }, "Email:From is required when Email:Provider is Ses" },
        { new() { ["Email:Provider"] = "Acs", ["Email:Acs:Endpoint"] = "https://contoso.communication.azure.com/" }, "Email:From is required when Email:Provider is Acs" },
        { new() { ["Email:From"] = "SG alerts <sg-alerts@example.com>" }, "Email:From must be a plain address" },
        { new() { ["Email:From"] = "sg-alerts" }, "Email:From must be a plain address" },
        { new() { ["Email:Provider"] = "Ses", ["Email:From"] = "a@example.com" }, "Email:Ses:Region is required when Email:Provider is Ses" },
        { new() { ["Email:Provider"] = "Ses", ["Email:From"] = "a@example.com", ["Email:Ses:Region"] = "eu-west-1", ["Email:Ses:AccessKeyId"] = "AKID" }, "Email:Ses:AccessKeyId and Email:Ses:SecretAccessKey must be set together" },
        { new() { ["Email:Provider"] = "Acs", ["Email:From"] = "a@example.com" }, "Email:Acs:ConnectionString or Email:Acs:Endpoint is required when Email:Provider is Acs" },
        { new() { ["Email:Provider"] = "Ses", ["Email:From"] = "a@example.com", ["Email:Ses:Region"] = "cn-north-1" }, "Email:Ses:Region" },
        { new() { ["Email:Provider"] = "Ses", ["Email:From"] = "a@example.com", ["Email:Ses:Region"] = "us-isob-east-1" }, "Email:Ses:Region" },
        { new() { ["Email:Provider"] = "Ses", ["Email:From"] = "a@example.com", ["Email:Ses:Region"] = "eu-west-1", ["Email:Ses:SessionToken"] = "token" }, "Email:Ses:SessionToken needs Email:Ses:AccessKeyId" },
        { new() { ["Email:Provider"] = "Ses", ["Email:From"] = "a@example.com", ["Email:Ses:Region"] = "eu-west-1", ["Email:Ses:AccessKeyId"] = "ASIA", ["Email:Ses:SecretAccessKey"] = "s", ["Email:Ses:SessionToken"] = "tok\nen" }, "Email:Ses:SessionToken must be the token as issued" },
        { new() { ["Email:Provider"] = "Acs", ["Email:From"] = "a@example.com", ["Email:Acs:ConnectionString"] = "accesskey=c2VjcmV0" }, "Email:Acs:ConnectionString must look like" },
        { new() { ["Email:Acs:PollBudget"] = "00:01:00" }, "Email:Acs:PollBudget" },
        { new() { ["Email:Retry:TotalTimeout"] = "00:00:30" }, "Email:Retry:TotalTimeout" },
        { new() { ["Email:Retry:MaxRetries"] = "9" }, "Email:Retry:MaxRetries" },
        { new() { ["Email:SubjectPrefix"] = new string('x', 61) }, "Email:SubjectPrefix" },
        { new() { ["Email:Outbox:Directory"] = " " }, "Email:Outbox:Directory" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void BadSettings_FailAtStartNamingTheKey(Dictionary<string, string?> settings, string expected)
    {
        using var services = Build(settings);

        var error = Assert.ThrowsAny<Exception>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenOverrideTemplate_FailsAtStartNamingTheFile()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "notification.txt.liquid"), "{% for rule in Rules %}unclosed");
        using var services = Build(new() { ["Email:TemplateDirectory"] = folder.Path });

        var error = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("Email:TemplateDirectory", error.Message, StringComparison.Ordinal);
        Assert.Contains("notification.txt.liquid", error.Message, StringComparison.Ordinal);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection()
            .AddLogging()
            .AddSgNotifier(
                new ConfigurationBuilder()
                    .AddInMemoryCollection(SnsTestHost.RequiredDefaults)
                    .AddInMemoryCollection(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = SnsTestHost.DefaultTopics })
                    .AddInMemoryCollection(settings)
                    .Build(),
                "Production")
            .BuildServiceProvider();
}
