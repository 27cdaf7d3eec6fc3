using System.Text.Json.Nodes;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Sources.CloudTrail;

public sealed class CloudTrailActorParserTests
{
    private static readonly JsonArray Identities = JsonNode.Parse(File.ReadAllText(RepositoryPaths.TestData("CloudTrail", "identities.json")))!.AsArray();

    public static TheoryData<string> Cases() => new(Identities.Select(static c => (string)c!["name"]!));

    private static (string Expected, string Record) Case(string name)
    {
        var found = Identities.Single(c => (string)c!["name"]! == name)!;
        return ((string)found["expected"]!, found["record"]!.ToJsonString());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryIdentityType_RendersTheCanonicalActorString(string name)
    {
        var (expected, record) = Case(name);

        var actor = CloudTrailActorParser.Parse(record);

        Assert.NotNull(actor);
        Assert.Equal(expected, actor.Display);
        Assert.Equal("8d3c1f6e-2b4a-4c5d-9e8f-0a1b2c3d4e5f", actor.EventId);
    }

    [Fact]
    public void SsoConsoleSession_CarriesSessionConsoleAndMfa()
    {
        var actor = CloudTrailActorParser.Parse(Case("sso").Record)!;

        Assert.Equal("AssumedRole", actor.Type);
        Assert.Equal("jane.doe@example.com", actor.SessionName);
        Assert.Equal("210987654321", actor.AccountId);
        Assert.True(actor.Console);
        Assert.False(actor.Mfa);
        Assert.Equal("203.0.113.7", actor.SourceIp);
        Assert.Equal("AuthorizeSecurityGroupIngress", actor.EventName);
        Assert.Equal(new DateTimeOffset(2026, 11, 24, 9, 14, 37, TimeSpan.Zero), actor.EventTime);
        Assert.Equal("AWS console", UserAgentClient.Describe(actor.UserAgent, actor.Console));
    }

    [Fact]
    public void ChainedRole_KeepsTheSourceIdentityAndNamesTerraform()
    {
        var actor = CloudTrailActorParser.Parse(Case("assumed-role").Record)!;

        Assert.Equal("sam.lee@example.com", actor.SourceIdentity);
        Assert.True(actor.Mfa);
        Assert.False(actor.Console);
        Assert.Equal("Terraform", UserAgentClient.Describe(actor.UserAgent, actor.Console));
        Assert.Equal("CLI/SDK", UserAgentClient.Kind(actor.UserAgent, actor.Console));
    }

    [Fact]
    public void ServiceCall_NamesTheService()
    {
        var actor = CloudTrailActorParser.Parse(Case("assumed-role-via-cloudformation").Record)!;

        Assert.Equal("cloudformation.amazonaws.com", actor.InvokedBy);
        Assert.Equal("CloudFormation", UserAgentClient.Describe(actor.UserAgent, actor.Console));
    }

    [Theory]
    [InlineData("aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0", "AWS CLI")]
    [InlineData("Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux", "AWS SDK for Python (boto3)")]
    [InlineData("aws-sdk-dotnet-coreclr/4.0.1.0 ua/2.0 os/linux", "AWS SDK for .NET")]
    [InlineData("aws-sdk-java/2.25.11 Linux/6.1", "AWS SDK for Java")]
    [InlineData("AWS Internal", "AWS internal")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0", "AWS console")]
    [InlineData("curl/8.5.0", "other client")]
    [InlineData(null, "unknown client")]
    public void UserAgent_NamesARecognisableClient(string? userAgent, string expected) =>
        Assert.Equal(expected, UserAgentClient.Describe(userAgent, console: false));

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"userIdentity\": 42}")]
    [InlineData("{\"userIdentity\": {\"type\": \"AssumedRole\", \"arn\": \"arn:aws:sts::1:assumed-role/\"}}")]
    [InlineData("{\"userIdentity\": {\"type\": \"IAMUser\"}}")]
    public void OddRecords_NeverThrow(string record)
    {
        var actor = CloudTrailActorParser.Parse(record);

        Assert.True(actor is null || actor.Display.StartsWith("unknown", StringComparison.Ordinal));
    }

    /// <summary>The sso record with <paramref name="edit"/> applied, then every <c>XLONEX</c> in its JSON text made an escaped lone surrogate.</summary>
    private static string WithLoneSurrogate(Action<JsonNode> edit)
    {
        var record = JsonNode.Parse(Case("sso").Record)!;
        edit(record);
        return record.ToJsonString().Replace("XLONEX", "\\ud800", StringComparison.Ordinal);
    }

    [Fact]
    public void LoneSurrogateInUserAgent_ReadsAsAbsent_AndTheActorIsStillNamed()
    {
        var record = WithLoneSurrogate(static r => r["userAgent"] = "XLONEX");
        Assert.Contains("\"userAgent\":\"\\ud800\"", record, StringComparison.Ordinal);

        var actor = CloudTrailActorParser.Parse(record);

        Assert.NotNull(actor);
        Assert.Null(actor.UserAgent);
        Assert.Equal("jane.doe@example.com (SSO PowerUserAccess)", actor.Display);
        Assert.Equal("8d3c1f6e-2b4a-4c5d-9e8f-0a1b2c3d4e5f", actor.EventId);
    }

    [Fact]
    public void LoneSurrogateInUserIdentityArn_ReadsAsAbsent_AndTheSessionComesFromThePrincipal()
    {
        var record = WithLoneSurrogate(static r => r["userIdentity"]!["arn"] = "arn:aws:sts::210987654321:assumed-role/AWSReservedSSO_PowerUserAccess_0f1e2d3c4b5a6978/XLONEX");

        var actor = CloudTrailActorParser.Parse(record);

        Assert.NotNull(actor);
        Assert.Null(actor.Arn);
        Assert.Equal("jane.doe@example.com", actor.SessionName);
        Assert.Equal("jane.doe@example.com (SSO PowerUserAccess)", actor.Display);
    }

    [Fact]
    public void LoneSurrogatesInSessionContext_ReadAsAbsent()
    {
        var record = WithLoneSurrogate(static r =>
        {
            r["userIdentity"]!["sessionContext"]!["sessionIssuer"]!["userName"] = "XLONEX";
            r["userIdentity"]!["sessionContext"]!["sessionIssuer"]!["arn"] = "XLONEX";
            r["userIdentity"]!["sessionContext"]!["attributes"]!["mfaAuthenticated"] = "XLONEX";
            r["userIdentity"]!["sessionContext"]!["sourceIdentity"] = "XLONEX";
            r["userIdentity"]!["principalId"] = "XLONEX";
        });

        var actor = CloudTrailActorParser.Parse(record);

        Assert.NotNull(actor);
        Assert.Null(actor.SourceIdentity);
        Assert.Null(actor.Mfa);
        Assert.Equal("jane.doe@example.com (role AWSReservedSSO_PowerUserAccess_0f1e2d3c4b5a6978)", actor.Display);
    }

    [Fact]
    public void LoneSurrogateInAPropertyName_NeverThrows()
    {
        var record = WithLoneSurrogate(static r => r["userIdentity"]!["XLONEX"] = "x").Replace("\"userAgent\"", "\"\\udc00\"", StringComparison.Ordinal);

        var actor = CloudTrailActorParser.Parse(record);

        Assert.NotNull(actor);
        Assert.Equal("jane.doe@example.com (SSO PowerUserAccess)", actor.Display);
    }

    [Fact]
    public void RawLoneSurrogateInTheText_IsNotARecord()
    {
        Assert.Null(CloudTrailActorParser.Parse("{\"userAgent\":\"\ud800\"}"));
    }

    [Fact]
    public void InvalidUtf8InAString_ReadsAsAbsent()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(WithLoneSurrogate(static r => r["userAgent"] = "XBADX").Replace("XBADX", "\u00ff", StringComparison.Ordinal));
        var at = Array.IndexOf(bytes, (byte)0xC3);
        bytes[at] = 0xFF; // U+00FF's lead byte made a byte that is never UTF-8
        bytes[at + 1] = (byte)'a';

        using var document = System.Text.Json.JsonDocument.Parse(bytes);
        var actor = CloudTrailActorParser.Parse(document.RootElement);

        Assert.Null(actor.UserAgent);
        Assert.Equal("jane.doe@example.com (SSO PowerUserAccess)", actor.Display);
    }
}
