using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core;
using SgNotifier.Core.Config;
using SgNotifier.Core.Routing;

namespace SgNotifier.Tests.Routing;

/// <summary>The Config/routing part of the composition: options bind from configuration and bad values fail at start.</summary>
public class NotifyOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes()
    {
        using var provider = Build([]);

        var notify = provider.GetRequiredService<IOptions<NotifyOptions>>().Value;
        var aws = provider.GetRequiredService<IOptions<AwsOptions>>().Value;

        Assert.Equal(("NotifyOnChange", "OwnerDL"), (notify.NotifyOnChangeTagKey, notify.OwnerTagKey));
        Assert.Equal(NotifyOptions.DefaultRiskyPorts, notify.EffectiveRiskyPorts);
        Assert.Contains(22, notify.EffectiveRiskyPorts);
        Assert.Contains(3389, notify.EffectiveRiskyPorts);
        Assert.False(aws.FetchOversizedItems);
        Assert.False(aws.LookupTagsWithEc2);
        Assert.NotNull(provider.GetRequiredService<SgNotifier.Core.Sources.Config.ConfigChangeSource>());
    }

    [Fact]
    public void ConfiguredRiskyPorts_ReplaceTheDefaultList()
    {
        using var provider = Build(new() { ["Notify:RiskyPorts:0"] = "443", ["Notify:FallbackRecipients:0"] = "secops@example.com" });

        var notify = provider.GetRequiredService<IOptions<NotifyOptions>>().Value;

        Assert.Equal([443], notify.EffectiveRiskyPorts);
        Assert.Equal(["secops@example.com"], notify.FallbackRecipients);
    }

    [Theory]
    [InlineData("Notify:RiskyPorts:0", "70000")]
    [InlineData("Notify:RiskyPorts:0", "-1")]
    [InlineData("Notify:FallbackRecipients:0", "Sec Ops <secops@example.com>")]
    [InlineData("Notify:FallbackRecipients:0", "secops@example.com\r\nBcc: x@example.com")]
    [InlineData("Notify:AllowedRecipientDomains:0", "not a domain")]
    [InlineData("Notify:OwnerTagKey", "")]
    [InlineData("Aws:S3ServiceUrl", "ftp://127.0.0.1/")]
    [InlineData("Aws:Ec2ServiceUrl", "relative/path")]
    [InlineData("Aws:Region", "Mars")]
    [InlineData("Aws:TimeoutSeconds", "0")]
    public void BadValue_FailsValidation(string key, string value)
    {
        using var provider = Build(new() { [key] = value });

        Assert.Throws<OptionsValidationException>(() =>
        {
            _ = provider.GetRequiredService<IOptions<NotifyOptions>>().Value;
            _ = provider.GetRequiredService<IOptions<AwsOptions>>().Value;
        });
    }

    [Fact]
    public void OptionsAreValidatedOnStart()
    {
        using var provider = Build(new() { ["Notify:RiskyPorts:0"] = "70000" });

        var validator = provider.GetRequiredService<IStartupValidator>();

        Assert.ThrowsAny<OptionsValidationException>(validator.Validate);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSgNotifier(configuration, "Development");
        return services.BuildServiceProvider();
    }
}
