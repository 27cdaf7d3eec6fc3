using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
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
    [InlineData("Notify:Sources:0", "CloudTrial")]
    [InlineData("Notify:Sources:0", "1")]
    [InlineData("Notify:Sources:0", "")]
    [InlineData("Notify:CorrelationWindowBefore", "-00:01:00")]
    [InlineData("Notify:CorrelationWindowBefore", "2.00:00:00")]
    [InlineData("Notify:CorrelationWindowAfter", "02:00:00")]
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
    public void Sources_DefaultToConfigOnly_AndReadAnyCase()
    {
        using var defaults = Build([]);
        Assert.Equal([ChangeSource.Config], defaults.GetRequiredService<IOptions<NotifyOptions>>().Value.EffectiveSources);
        Assert.False(defaults.GetRequiredService<IOptions<NotifyOptions>>().Value.CorrelatesSources);

        using var both = Build(new() { ["Notify:Sources:0"] = "config", ["Notify:Sources:1"] = " CLOUDTRAIL " });
        var notify = both.GetRequiredService<IOptions<NotifyOptions>>().Value;
        Assert.Equal([ChangeSource.Config, ChangeSource.CloudTrail], notify.EffectiveSources.Order());
        Assert.True(notify.CorrelatesSources);
    }

    [Fact]
    public void UnknownSource_IsNamedInTheError()
    {
        using var provider = Build(new() { ["Notify:Sources:0"] = "Config", ["Notify:Sources:1"] = "GuardDuty" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<NotifyOptions>>().Value);

        Assert.Contains("Notify:Sources: 'GuardDuty' is not a source", error.Message, StringComparison.Ordinal);
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
