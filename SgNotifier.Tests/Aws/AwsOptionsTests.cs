using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SgNotifier.Core;
using SgNotifier.Core.Aws;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Aws;

public sealed class AwsOptionsTests
{
    private static void Start(IDictionary<string, string?> aws)
    {
        var settings = new Dictionary<string, string?> { ["Sns:AllowedTopicArns:0"] = "arn:aws:sns:us-east-1:123456789012:config-topic" };
        foreach (var (key, value) in aws)
        {
            settings[key] = value;
        }

        var services = new ServiceCollection().AddSgNotifierForTests(settings);
        using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        provider.GetRequiredService<SnsDeliveryHandler>();
    }

    [Fact]
    public void FullActorAndRoleConfiguration_Starts() => Start(new Dictionary<string, string?>
    {
        ["Aws:LookupActors"] = "true",
        ["Aws:ActorWait"] = "00:20:00",
        ["Aws:ActorLookupTimeout"] = "00:00:08",
        ["Aws:RoleArnTemplate"] = "arn:aws:iam::{accountId}:role/SgNotifierReader",
        ["Aws:ExternalId"] = "sgnotifier-7f3c9a1e",
        ["Aws:WebIdentity:RoleArn"] = "arn:aws:iam::999988887777:role/SgNotifierHub",
        ["Aws:WebIdentity:Audience"] = "api://AzureADTokenExchange",
        ["Aws:WebIdentity:ClientId"] = "3f2a9c1e-5b7d-4e0f-a1c2-9d8e7f6a5b4c",
        ["Aws:CloudTrailServiceUrl"] = "http://127.0.0.1:4566",
        ["Aws:StsServiceUrl"] = "http://127.0.0.1:4566",
    });

    [Theory]
    [InlineData("Aws:ActorWait", "-00:00:01", "ActorWait")]
    [InlineData("Aws:ActorWait", "01:00:00", "ActorWait")]
    [InlineData("Aws:ActorLookupTimeout", "00:00:14", "ActorLookupTimeout")]
    [InlineData("Aws:ActorLookupTimeout", "00:00:00", "ActorLookupTimeout")]
    [InlineData("Aws:ActorWindowBefore", "05:00:00", "ActorWindowBefore")]
    [InlineData("Aws:ActorWindowAfter", "-00:01:00", "ActorWindowAfter")]
    [InlineData("Aws:Region", "us-east-1.evil.example", "Aws:Region")]
    [InlineData("Aws:CloudTrailServiceUrl", "ftp://127.0.0.1/", "CloudTrailServiceUrl")]
    [InlineData("Aws:StsServiceUrl", "not a url", "StsServiceUrl")]
    [InlineData("Aws:RoleArnTemplate", "arn:aws:iam::123456789012:role/SgNotifierReader", "RoleArnTemplate")]
    [InlineData("Aws:RoleArnTemplate", "arn:aws:iam::{accountId}:user/{accountId}", "RoleArnTemplate")]
    [InlineData("Aws:RoleArnTemplate", "arn:aws:iam::{accountId}:role/SgNotifierReader", "ExternalId")]
    [InlineData("Aws:ExternalId", "has spaces in it", "ExternalId")]
    [InlineData("Aws:WebIdentity:RoleArn", "arn:aws:iam::999988887777:role/SgNotifierHub", "Audience")]
    [InlineData("Aws:WebIdentity:Audience", "api://AzureADTokenExchange", "WebIdentity:RoleArn")]
    [InlineData("Aws:WebIdentity:RoleArn", "https://sts.evil.example/", "WebIdentity:RoleArn")]
    public void BadAwsSetting_RefusesToStartNamingTheKey(string key, string value, string named)
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?> { [key] = value }));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BadClientId_RefusesToStart()
    {
        var error = Assert.Throws<OptionsValidationException>(() => Start(new Dictionary<string, string?>
        {
            ["Aws:WebIdentity:RoleArn"] = "arn:aws:iam::999988887777:role/SgNotifierHub",
            ["Aws:WebIdentity:Audience"] = "api://AzureADTokenExchange",
            ["Aws:WebIdentity:ClientId"] = "not-a-guid",
        }));

        Assert.Contains("Aws:WebIdentity:ClientId", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("us-east-1", "aws")]
    [InlineData("eu-west-1", "aws")]
    [InlineData("ap-southeast-2", "aws")]
    [InlineData("il-central-1", "aws")]
    [InlineData("mx-central-1", "aws")]
    [InlineData("cn-north-1", "aws-cn")]
    [InlineData("us-gov-west-1", "aws-us-gov")]
    public void RegionName_IsValidInItsPartition(string region, string partition)
    {
        Assert.True(AwsRegion.IsValid(region));
        Assert.Equal(partition, AwsRegion.Partition(region));
    }

    [Theory]
    [InlineData("us-east-1.evil.example")]
    [InlineData("us-east-1\n")]
    [InlineData("us-east-1/")]
    [InlineData("evil.example")]
    [InlineData("xx-east-1")]
    [InlineData("US-EAST-1")]
    [InlineData("us-east-")]
    [InlineData("")]
    [InlineData(null)]
    public void NotARegionName_IsRefused(string? region) => Assert.False(AwsRegion.IsValid(region));

    [Fact]
    public void Endpoint_IsBuiltOnlyFromTheRegionAndThePartitionsSuffix()
    {
        Assert.Equal("https://cloudtrail.eu-west-1.amazonaws.com/", AwsRegion.Endpoint("cloudtrail", "eu-west-1").AbsoluteUri);
        Assert.Equal("https://cloudtrail.cn-north-1.amazonaws.com.cn/", AwsRegion.Endpoint("cloudtrail", "cn-north-1").AbsoluteUri);
        Assert.Throws<ArgumentException>(() => AwsRegion.Endpoint("cloudtrail", "us-east-1.evil.example"));
    }

    [Theory]
    [InlineData("210987654321", "arn:aws:iam::210987654321:role/SgNotifierReader")]
    [InlineData("21098765432", null)]
    [InlineData("210987654321:role/Admin#", null)]
    public void RoleArn_ComesOnlyFromTheTemplateAndA12DigitAccount(string accountId, string? expected) =>
        Assert.Equal(expected, AwsOptionsValidation.RoleArnFor("arn:aws:iam::{accountId}:role/SgNotifierReader", accountId));
}
