using SgNotifier.Core.Diff;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Tests.Config;

public class ConfigMessageParserTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("{\"messageType\": ")]
    [InlineData("\"ConfigurationItemChangeNotification\"")]
    [InlineData("42")]
    [InlineData("{\"Records\": []}")]
    [InlineData("{\"messageType\": null}")]
    [InlineData("{\"messageType\": \"\"}")]
    public void NonConfigText_IsNotConfig(string? message)
    {
        var parsed = ConfigMessageParser.Parse(message);

        Assert.Equal(ConfigMessageKind.NotConfig, parsed.Kind);
        Assert.False(string.IsNullOrEmpty(parsed.Problem));
    }

    [Fact]
    public void DeeplyNestedJson_IsNotConfigRatherThanAnException()
    {
        var message = new string('[', 10_000) + new string(']', 10_000);

        Assert.Equal(ConfigMessageKind.NotConfig, ConfigMessageParser.Parse(message).Kind);
    }

    [Theory]
    [InlineData("ComplianceChangeNotification")]
    [InlineData("ConfigRulesEvaluationStarted")]
    [InlineData("ConfigurationHistoryDeliveryCompleted")]
    [InlineData("ConfigurationSnapshotDeliveryStarted")]
    [InlineData("ConfigurationSnapshotDeliveryCompleted")]
    public void OtherConfigMessageTypes_AreRecognised(string messageType) =>
        Assert.Equal(ConfigMessageKind.OtherNotification, ConfigMessageParser.Parse($"{{\"messageType\": \"{messageType}\"}}").Kind);

    [Fact]
    public void ProblemText_NeverQuotesTheMessage()
    {
        var parsed = ConfigMessageParser.Parse(
            "{\"messageType\": \"ConfigurationItemChangeNotification\", \"configurationItem\": {\"resourceType\": \"AWS::EC2::SecurityGroup\", \"resourceId\": \"sg-1\", \"awsAccountId\": \"1\", \"awsRegion\": \"r\", \"configuration\": {\"ipPermissions\": [{\"ipProtocol\": \"tcp\", \"fromPort\": \"SECRET-VALUE\"}]}}}");

        Assert.Equal(ConfigMessageKind.Malformed, parsed.Kind);
        Assert.DoesNotContain("SECRET", parsed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LegacyAndNewRangeShapesForTheSameCidr_AreOnePeer()
    {
        var parsed = ConfigMessageParser.Parse(Item("""
            {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": ["0.0.0.0/0", "10.0.0.0/8"],
             "ipv4Ranges": [{"cidrIp": "0.0.0.0/0", "description": "ssh"}]}
            """));

        var permission = Assert.Single(parsed.Item!.Configuration!.IpPermissions);
        Assert.Equal([new PeerEntry("0.0.0.0/0", "ssh"), new PeerEntry("10.0.0.0/8", null)], permission.Ipv4Ranges);
    }

    [Theory]
    [InlineData("\"fromPort\": 70000")]
    [InlineData("\"fromPort\": -2")]
    [InlineData("\"fromPort\": 22.5")]
    [InlineData("\"fromPort\": \"ssh\"")]
    [InlineData("\"fromPort\": true")]
    [InlineData("\"fromPort\": 99999999999999999999999")]
    [InlineData("\"ipv6Ranges\": [42]")]
    [InlineData("\"userIdGroupPairs\": [{\"userId\": \"1\"}]")]
    [InlineData("\"prefixListIds\": [{\"description\": \"no id\"}]")]
    [InlineData("\"ipv4Ranges\": {}")]
    public void BadPermissionField_IsMalformed(string field)
    {
        var parsed = ConfigMessageParser.Parse(Item($"{{\"ipProtocol\": \"tcp\", {field}}}"));

        Assert.Equal(ConfigMessageKind.Malformed, parsed.Kind);
        Assert.Equal(ConfigMessageParser.ItemChangeNotification, parsed.MessageType);
    }

    [Theory]
    [InlineData("\"fromPort\": \"22\", \"toPort\": \"22\"", 22)]
    [InlineData("\"fromPort\": 22.0, \"toPort\": 22", 22)]
    [InlineData("\"fromPort\": null, \"toPort\": null", null)]
    [InlineData("\"fromPort\": \"\"", null)]
    public void TolerablePorts_AreRead(string ports, int? fromPort)
    {
        var parsed = ConfigMessageParser.Parse(Item($"{{\"ipProtocol\": \"tcp\", {ports}, \"ipv4Ranges\": [{{\"cidrIp\": \"10.0.0.0/8\"}}]}}"));

        Assert.Equal(fromPort, Assert.Single(parsed.Item!.Configuration!.IpPermissions).FromPort);
    }

    [Fact]
    public void OldItemFieldSpellings_AreAccepted()
    {
        var parsed = ConfigMessageParser.Parse("""
            {"messageType": "ConfigurationItemChangeNotification",
             "configurationItem": [{"resourceType": "AWS::EC2::SecurityGroup", "resourceId": "sg-1", "accountId": "123456789012",
               "arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1", "configurationStateID": "3e660fdf", "configuration": null}]}
            """);

        Assert.Equal(ConfigMessageKind.ItemChange, parsed.Kind);
        Assert.Equal(("123456789012", "eu-west-1", "3e660fdf"), (parsed.Item!.AwsAccountId, parsed.Item.AwsRegion, parsed.Item.ConfigurationStateId));
    }

    [Fact]
    public void ChangedPropertyKeys_AreSortedByWhatTheyTouch()
    {
        var parsed = ConfigMessageParser.Parse("""
            {"messageType": "ConfigurationItemChangeNotification",
             "configurationItem": {"resourceType": "AWS::EC2::SecurityGroup", "resourceId": "sg-1", "awsAccountId": "1", "awsRegion": "r", "configuration": null},
             "configurationItemDiff": {"changeType": "update", "changedProperties": {
               "Configuration.IpPermissions.3": {"previousValue": null, "updatedValue": {"ipProtocol": "tcp"}, "changeType": "CREATE"},
               "Configuration.IpPermissionsEgress.0": {"previousValue": [{"ipProtocol": "-1"}], "updatedValue": null, "changeType": "DELETE"},
               "Configuration.Tags.1": {"previousValue": {"key": "a", "value": "1"}, "updatedValue": null, "changeType": "DELETE"},
               "SupplementaryConfiguration.Tags": {"previousValue": {"b": "2"}, "updatedValue": [{"key": "b", "value": "3"}]},
               "Configuration.TagSet.0": {"previousValue": null, "updatedValue": {"key": "c", "value": "4"}},
               "Configuration.IpPermissionsX.0": {"previousValue": null, "updatedValue": 1},
               "Relationships.0": {"previousValue": null, "updatedValue": {"resourceId": "vpc-1"}}}}}
            """);

        var diff = parsed.Diff!;
        Assert.Equal("UPDATE", diff.ChangeType);
        Assert.Equal([RuleDirection.Ingress, RuleDirection.Egress], diff.PermissionChanges.Select(c => c.Direction));
        Assert.Equal(["Configuration.Tags.1", "SupplementaryConfiguration.Tags", "Configuration.TagSet.0"], diff.TagChanges.Select(c => c.Name));
        Assert.Equal(["Configuration.IpPermissionsX.0", "Relationships.0"], diff.OtherChangedProperties);
    }

    [Fact]
    public void EventBridgeDetailWithoutMessageType_IsMappedFromTheDetailType()
    {
        var parsed = ConfigMessageParser.Parse("""
            {"detail-type": "Config Configuration Item Change", "source": "aws.config",
             "detail": {"configurationItem": {"resourceType": "AWS::S3::Bucket", "resourceId": "b"}}}
            """);

        Assert.Equal((ConfigMessageKind.ItemChange, true), (parsed.Kind, parsed.ViaEventBridge));
    }

    [Fact]
    public void EventBridgeWithoutDetail_IsMalformed() =>
        Assert.Equal(ConfigMessageKind.Malformed, ConfigMessageParser.Parse("{\"detail-type\": \"Config Configuration Item Change\", \"source\": \"aws.config\"}").Kind);

    /// <summary>
    /// Issue 12: a Config message reaches the parser as the SNS Message string (already valid text, but its own
    /// escapes may decode to a lone surrogate) or as an S3 object's bytes (anything). Neither may throw from GetString.
    /// </summary>
    [Theory]
    [InlineData("{\"messageType\": \"Configuration\\ud800ItemChangeNotification\"}")]
    [InlineData("{\"messageType\": \"ConfigurationItemChangeNotification\", \"configurationItem\": {\"\\udc00\": 1}}")]
    [InlineData("{\"detail-type\": \"Config Configuration Item Change\\udfff\", \"source\": \"aws.config\", \"detail\": {}}")]
    public void EscapeDecodingToALoneSurrogate_IsNotConfig(string message)
    {
        var parsed = ConfigMessageParser.Parse(message);

        Assert.Equal(ConfigMessageKind.NotConfig, parsed.Kind);
        Assert.Contains("lone surrogate", parsed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void LoneSurrogateInTheText_IsNotConfig() =>
        Assert.Equal(ConfigMessageKind.NotConfig, ConfigMessageParser.Parse("{\"messageType\": \"\ud800\"}").Kind);

    [Fact]
    public void InvalidUtf8InAnS3Object_IsNotConfig()
    {
        byte[] bytes = [.. "{\"messageType\": \"ConfigurationItemChangeNotification\", \"configurationItem\": {\"resourceType\": \"AWS::EC2::"u8, 0xC0, 0xAF, .. "\"}}"u8];

        var parsed = ConfigMessageParser.Parse(bytes.AsMemory());

        Assert.Equal(ConfigMessageKind.NotConfig, parsed.Kind);
        Assert.Contains("UTF-8", parsed.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void EmbeddedConfigurationStringWithALoneSurrogateEscape_IsMalformed()
    {
        // The configuration as a JSON string whose own JSON holds "\ud800": valid text outside, a lone surrogate inside.
        var message = Item("").Replace(
            "\"configuration\": {\"groupId\": \"sg-1\", \"ipPermissions\": [], \"ipPermissionsEgress\": []}",
            "\"configuration\": \"{\\\"groupId\\\": \\\"sg-\\\\ud800\\\"}\"",
            StringComparison.Ordinal);

        var parsed = ConfigMessageParser.Parse(message);

        Assert.Equal(ConfigMessageKind.Malformed, parsed.Kind);
        Assert.Contains("lone surrogate", parsed.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 12: the fuzz made one permission hold 250,000 ranges and the merge of ipv4Ranges and ipRanges, a scan per
    /// range, ran for minutes. Bounded against a hang, not timed: the scan needs 20 billion comparisons here.
    /// </summary>
    [Fact]
    public async Task PermissionWithTwoHundredThousandRanges_IsReadWithoutQuadraticWork()
    {
        var ranges = string.Join(",", Enumerable.Range(0, 200_000).Select(static i => $"\"10.{i / 65536}.{i / 256 % 256}.{i % 256}/32\""));
        var message = Item("{\"ipProtocol\": \"tcp\", \"fromPort\": 22, \"toPort\": 22, \"ipv4Ranges\": [{\"cidrIp\": \"10.0.0.0/32\", \"description\": \"d\"}], \"ipRanges\": [" + ranges + "]}");

        var parsed = await Task.Run(() => ConfigMessageParser.Parse(message)).WaitAsync(TimeSpan.FromSeconds(30));

        var permission = Assert.Single(parsed.Item!.Configuration!.IpPermissions);
        Assert.Equal(200_000, permission.Ipv4Ranges.Count);
        Assert.Equal("d", permission.Ipv4Ranges[0].Description);
    }

    private static string Item(string permission) =>
        "{\"messageType\": \"ConfigurationItemChangeNotification\", \"configurationItem\": {\"resourceType\": \"AWS::EC2::SecurityGroup\", " +
        "\"resourceId\": \"sg-1\", \"awsAccountId\": \"111122223333\", \"awsRegion\": \"eu-west-1\", \"configurationStateId\": 1, " +
        "\"configuration\": {\"groupId\": \"sg-1\", \"ipPermissions\": [" + permission + "], \"ipPermissionsEgress\": []}}, " +
        "\"configurationItemDiff\": {\"changeType\": \"UPDATE\", \"changedProperties\": {}}}";
}
