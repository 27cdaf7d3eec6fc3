using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests;

public sealed class CompositionTests
{
    private static void Start(IDictionary<string, string?> settings, string environment = "Production")
    {
        var services = new ServiceCollection().AddSgNotifierForTests(settings, environment);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<SnsDeliveryHandler>();
    }

    [Fact]
    public void MinimalProductionConfiguration_Starts() =>
        Start(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = "arn:aws:sns:us-east-1:123456789012:config-topic" });

    [Fact]
    public void EmptyAllowListInProduction_RefusesToStart()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?>()));
        Assert.Contains("Sns:AllowedTopicArns", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyAllowListInDevelopment_Starts() => Start(new Dictionary<string, string?>(), "Development");

    [Fact]
    public void SignatureChecksOffInProduction_RefusesToStart()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = "arn:aws:sns:us-east-1:123456789012:config-topic",
            ["Sns:VerifySignatures"] = "false",
        }));
        Assert.Contains("Sns:VerifySignatures", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SignatureChecksOffInDevelopment_Starts() => Start(new Dictionary<string, string?>
    {
        ["Sns:VerifySignatures"] = "false",
    }, "development");

    [Theory]
    [InlineData("config-topic")]
    [InlineData("arn:aws:sqs:us-east-1:123456789012:q")]
    [InlineData("*")]
    public void AllowedTopicThatIsNotAnArn_RefusesToStart(string arn)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = arn }));
        Assert.Contains("Sns:AllowedTopicArns", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Sns:MaxMessageAge", "00:00:10")]
    [InlineData("Sns:MaxBodyBytes", "10")]
    [InlineData("Sns:CertificateDownloadTimeout", "00:05:00")]
    public void OutOfRangeSnsSetting_RefusesToStart(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = "arn:aws:sns:us-east-1:123456789012:config-topic",
            [key] = value,
        }));
        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoAllowedRecipientDomainsInProduction_RefusesToStart_NamingTheKey()
    {
        var services = new ServiceCollection().AddLogging().AddSgNotifier(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = SnsTestHost.DefaultTopics }).Build(),
            "Production");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Notify:AllowedRecipientDomains", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StarAsAllowedRecipientDomain_StartsButWarns()
    {
        var logs = new Microsoft.Extensions.Logging.Testing.FakeLoggerProvider();
        var services = new ServiceCollection().AddLogging(l => l.AddProvider(logs)).AddSgNotifier(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Sns:AllowedTopicArns:0"] = SnsTestHost.DefaultTopics,
                ["Notify:AllowedRecipientDomains:0"] = "*",
            }).Build(),
            "Production");
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<SnsDeliveryHandler>();

        var warning = Assert.Single(logs.Collector.GetSnapshot(), r => r.Id.Id == 2010);
        Assert.Equal(LogLevel.Warning, warning.Level);
    }

    [Theory]
    [InlineData("Notify:FallbackRecipients:0", "secops@elsewhere.test")]
    [InlineData("Notify:MaxRecipientsPerTag", "51")]
    [InlineData("Notify:MaxRecipients", "5")]
    [InlineData("Notify:AllowedAccountIds:0", "12345")]
    [InlineData("Notify:AllowedRecipientDomains:1", "not a domain")]
    public void BadRecipientLimitsOrLists_RefuseToStart(string key, string value)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = "arn:aws:sns:us-east-1:123456789012:config-topic",
            [key] = value,
        }));
        Assert.Contains(key.Split(':')[1], error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Sns:SessionToken needs Sns:AccessKeyId")]
    [InlineData("AKIDEXAMPLE", "Sns:SessionToken must be the token as issued")]
    public void SnsSessionTokenWithoutKeysOrMalformed_RefusesToStart(string? accessKeyId, string expected)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = "arn:aws:sns:us-east-1:123456789012:config-topic",
            ["Sns:AuthenticatedConfirm"] = "true",
            ["Sns:AccessKeyId"] = accessKeyId,
            ["Sns:SecretAccessKey"] = accessKeyId is null ? null : "secret",
            ["Sns:SessionToken"] = accessKeyId is null ? "session-token-1" : "session-token-1\n",
        }));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("session-token-1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SampleSettingsFile_Starts()
    {
        var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        var settings = sample.RootElement.GetProperty("Values").EnumerateObject()
            .ToDictionary(static p => p.Name.Replace("__", ":", StringComparison.Ordinal), static p => (string?)p.Value.GetString());
        Start(settings, settings["AZURE_FUNCTIONS_ENVIRONMENT"]!);
    }

    /// <summary>
    /// README: "Every key is in local.settings.sample.json". Every settable property of every options section (nested
    /// settings included; a list as its first element) has its key in the sample, so a new option cannot go undocumented.
    /// </summary>
    [Fact]
    public void SampleSettingsFile_ListsEveryOption()
    {
        var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        var keys = sample.RootElement.GetProperty("Values").EnumerateObject().Select(static p => p.Name).ToHashSet(StringComparer.Ordinal);
        (Type Options, string Section)[] sections =
        [
            (typeof(SgNotifier.Core.Sns.SnsOptions), SgNotifier.Core.Sns.SnsOptions.Section),
            (typeof(SgNotifier.Core.Routing.NotifyOptions), SgNotifier.Core.Routing.NotifyOptions.Section),
            (typeof(SgNotifier.Core.Email.EmailOptions), SgNotifier.Core.Email.EmailOptions.Section),
            (typeof(SgNotifier.Core.Ledger.LedgerOptions), SgNotifier.Core.Ledger.LedgerOptions.Section),
            (typeof(SgNotifier.Core.Aws.AwsOptions), SgNotifier.Core.Aws.AwsOptions.Section),
        ];

        var missing = sections.SelectMany(static s => OptionKeys(s.Options, s.Section)).Where(k => !keys.Contains(k)).ToList();

        Assert.True(missing.Count == 0, "missing from local.settings.sample.json: " + string.Join(", ", missing));
    }

    private static IEnumerable<string> OptionKeys(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (property.SetMethod is not { IsPublic: true })
            {
                continue;
            }

            var key = prefix + "__" + property.Name;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (propertyType != typeof(string) && propertyType.IsGenericType && typeof(System.Collections.IEnumerable).IsAssignableFrom(propertyType))
            {
                yield return key + "__0";
            }
            else if (propertyType.IsClass && propertyType != typeof(string) && propertyType != typeof(Uri))
            {
                foreach (var nested in OptionKeys(propertyType, key))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return key;
            }
        }
    }
}
