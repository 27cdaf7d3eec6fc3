using System.Text;
using System.Text.Json.Nodes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Tests.Sources.CloudTrail;

public class CloudTrailEventParserTests
{
    private const string Calls = "security-group-call";

    [Fact]
    public void AuthorizedRules_EqualTheSameRulesSeenByConfig()
    {
        // The rules of four CloudTrail calls, as a Config item of the same group reports them after the change.
        var config = ConfigMessageParser.Parse("""
            {"messageType": "ConfigurationItemChangeNotification",
             "configurationItem": {"resourceType": "AWS::EC2::SecurityGroup", "resourceId": "sg-0a1b2c3d4e5f60718",
               "awsAccountId": "210987654321", "awsRegion": "eu-west-1", "configuration": {
               "groupId": "sg-0a1b2c3d4e5f60718",
               "ipPermissions": [
                 {"ipProtocol": "tcp", "fromPort": 8080, "toPort": 8081,
                  "ipv4Ranges": [{"cidrIp": "10.0.0.0/8", "description": "office"}, {"cidrIp": "192.0.2.0/24"}],
                  "ipv6Ranges": [{"cidrIpv6": "2001:db8::/32", "description": "office v6"}],
                  "prefixListIds": [{"prefixListId": "pl-0123abcd4567ef890"}], "userIdGroupPairs": []},
                 {"ipProtocol": "tcp", "fromPort": 5432, "toPort": 5432, "ipv4Ranges": [], "ipv6Ranges": [], "prefixListIds": [],
                  "userIdGroupPairs": [{"groupId": "sg-0beef00112233aabb", "userId": "123456789012", "description": "peered analytics"}]},
                 {"ipProtocol": "tcp", "fromPort": 1521, "toPort": 1521, "ipv4Ranges": [], "ipv6Ranges": [], "prefixListIds": [],
                  "userIdGroupPairs": [{"groupId": "sg-0c0ffee0123456789", "userId": "210987654321", "description": "app servers to the database"}]},
                 {"ipProtocol": "icmp", "fromPort": 8, "toPort": -1, "ipv4Ranges": [{"cidrIp": "10.0.0.0/8"}], "ipv6Ranges": [], "prefixListIds": [], "userIdGroupPairs": []}],
               "ipPermissionsEgress": [
                 {"ipProtocol": "-1", "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}], "ipv6Ranges": [], "prefixListIds": [], "userIdGroupPairs": []}]}}}
            """);
        var configRules = PermissionFlattener.Flatten(config.Item!.Configuration, config.Item.AwsAccountId);

        string[] files =
        [
            "authorize-ingress-several-peers-in-one-permission.json",
            "authorize-ingress-cross-account-group-reference.json",
            "authorize-ingress-cloudformation-same-account-group.json",
            "authorize-ingress-icmp-echo-request.json",
            "authorize-egress-all-traffic.json",
        ];
        var cloudTrailRules = files.SelectMany(f => Call(f).Added).Select(r => r.Rule).ToList();

        Assert.Equal(configRules.Order(SecurityGroupRuleComparer.Instance), cloudTrailRules.Order(SecurityGroupRuleComparer.Instance));
    }

    [Fact]
    public void RuleId_RidesBesideTheRule_NotInItsEquality()
    {
        var withId = Assert.Single(Call("authorize-ingress-legacy-flat-form.json").Added);
        var withoutId = Assert.Single(Call("authorize-ingress-legacy-flat-form-request-only.json").Added);

        Assert.StartsWith("sgr-", withId.RuleId, StringComparison.Ordinal);
        Assert.Null(withoutId.RuleId);
        Assert.Equal(withId.Rule, withoutId.Rule);
        Assert.NotEqual(withId, withoutId);
    }

    [Fact]
    public void DefaultVpcCallByName_TakesTheGroupIdFromTheResponse()
    {
        var group = Assert.Single(Call("authorize-ingress-default-vpc-by-group-name.json").Groups);

        Assert.Equal(("sg-0a1b2c3d4e5f60718", "launch-wizard-1"), (group.GroupId, group.GroupName));
    }

    [Fact]
    public void RevokeOfACrossAccountReference_KeepsTheAccountAndTheResponsesDescription()
    {
        var removed = Assert.Single(Call("revoke-ingress-cross-account-group-by-permissions.json").Removed);

        Assert.Equal(new SecurityGroupRule(RuleDirection.Ingress, "tcp", 5432, 5432, "123456789012/sg-0beef00112233aabb", "peered analytics"), removed.Rule);
        Assert.StartsWith("sgr-", removed.RuleId, StringComparison.Ordinal);
    }

    [Fact]
    public void RevokeInADefaultVpc_LeavesOutWhatTheResponseCallsUnknown()
    {
        var call = Call("revoke-ingress-default-vpc-unknown-permission.json");

        var removed = Assert.Single(call.Removed);
        Assert.Equal(22, removed.Rule.FromPort);
        Assert.Null(Assert.Single(call.Groups).GroupId);
    }

    [Fact]
    public void ModifiedRule_TakesItsDirectionFromPriorState()
    {
        var modified = Assert.Single(Call("modify-security-group-rules-one-rule.json").Modified);

        Assert.Equal(new SecurityGroupRule(RuleDirection.Egress, "tcp", 22, 22, "0.0.0.0/0", "ssh from anywhere"), modified.WithDirection(RuleDirection.Egress));
    }

    [Fact]
    public void TagCallOnSeveralResources_KeepsEachSecurityGroupOnce()
    {
        var call = Call("create-tags-on-mixed-resources-two-groups.json");

        Assert.Equal(["sg-0a1b2c3d4e5f60718", "sg-0f9e8d7c6b5a40312"], call.Groups.Select(g => g.GroupId));
        Assert.Equal("yes", call.TagsAdded["NotifyOnChange"]);
    }

    [Fact]
    public void ActorSeam_KeepsTheRecordAfterTheDocumentIsGone()
    {
        var call = Call("authorize-ingress-console-rdp-open-to-world.json");

        Assert.Equal("AssumedRole", call.UserIdentity.GetProperty("type").GetString());
        Assert.Equal("true", call.Record.GetProperty("sessionCredentialFromConsole").GetString());
        Assert.Equal("eu-west-1", call.Record.GetProperty("awsRegion").GetString());
    }

    [Fact]
    public void EventTime_ComesFromTheRecordInUtc()
    {
        var call = Call("authorize-ingress-older-record-without-rule-set.json");

        Assert.Equal(new DateTimeOffset(2017, 5, 30, 19, 50, 56, TimeSpan.Zero), call.Event.EventTime);
        Assert.Equal(TimeSpan.Zero, call.Event.EventTime!.Value.Offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("The user alice.ops has initiated AuthorizeSecurityGroupIngress")]
    [InlineData("\"a JSON string\"")]
    [InlineData("[]")]
    [InlineData("{\"detail-type\": ")]
    public void TextThatIsNoEvent_IsNotJson(string? message) =>
        Assert.Equal(CloudTrailReasons.NotJson, Ignored(CloudTrailEventParser.Parse(message)).Reason);

    [Fact]
    public void LoneSurrogateInTheMessageString_IsNotJson()
    {
        var message = File.ReadAllText(CloudTrailCorpus.FilePath(Calls, "create-tags-on-security-group.json"))
            .Replace("new-owner@example.com", "new-owner\ud800@example.com", StringComparison.Ordinal);

        Assert.Equal(CloudTrailReasons.NotJson, Ignored(CloudTrailEventParser.Parse(message)).Reason);
    }

    [Theory]
    [InlineData("\"eventID\": \"", "\"eventID\": {\"id\": 42}, \"x\": \"")]
    [InlineData("\"recipientAccountId\": \"210987654321\"", "\"recipientAccountId\": [\"210987654321\"]")]
    [InlineData("\"ipProtocol\": \"tcp\"", "\"ipProtocol\": true")]
    [InlineData("\"fromPort\": 3389", "\"fromPort\": 1e400")]
    [InlineData("\"fromPort\": 3389", "\"fromPort\": -2")]
    [InlineData("\"isEgress\": false", "\"isEgress\": \"no\"")]
    public void WrongTypeOrNumber_IsMalformed(string from, string to)
    {
        var message = File.ReadAllText(CloudTrailCorpus.FilePath(Calls, "authorize-ingress-console-rdp-open-to-world.json"));
        Assert.Contains(from, message, StringComparison.Ordinal);

        var ignored = Ignored(CloudTrailEventParser.Parse(message.Replace(from, to, StringComparison.Ordinal)));

        Assert.Equal(CloudTrailReasons.MalformedEvent, ignored.Reason);
    }

    [Fact]
    public void NumericStringsAndContentWrappers_AreRead()
    {
        var message = File.ReadAllText(CloudTrailCorpus.FilePath(Calls, "modify-security-group-rules-one-rule.json"))
            .Replace("\"FromPort\": 22", "\"FromPort\": \"22\"", StringComparison.Ordinal)
            .Replace("\"IpProtocol\": \"tcp\"", "\"IpProtocol\": {\"content\": \"6\", \"tag\": 1}", StringComparison.Ordinal);

        var modified = Assert.Single(Assert.IsType<SecurityGroupApiCall>(CloudTrailEventParser.Parse(message)).Modified);

        Assert.Equal(("tcp", 22, 22), (modified.Protocol, modified.FromPort, modified.ToPort));
    }

    [Fact]
    public void FailedCallOnAnotherResource_IsNotASecurityGroupCall_EvenWithAnErrorCode()
    {
        var ignored = Ignored(CloudTrailCorpus.Parse("not-security-group-call", "delete-tags-on-instance-failed.json"));

        Assert.NotNull(ignored.Event);
        Assert.Equal("DeleteTags", ignored.Event.EventName);
    }

    /// <summary>
    /// Random damage to every call in the corpus — bytes flipped, cut, spliced, and JSON values swapped for other
    /// kinds — never throws and never reads as anything but a call or a reason. Seeded: a failure reproduces.
    /// </summary>
    [Fact]
    public void RandomMutations_NeverThrow()
    {
        var random = new Random(1717);
        var reasons = new HashSet<string>(StringComparer.Ordinal)
        {
            CloudTrailReasons.CallFailed, CloudTrailReasons.NotSecurityGroupCall, CloudTrailReasons.NotJson, CloudTrailReasons.MalformedEvent,
        };
        JsonNode?[] replacements =
        [
            null, JsonValue.Create(true), JsonValue.Create(-1), JsonValue.Create(99999999999999999999m), JsonValue.Create(1.5),
            JsonValue.Create(""), JsonValue.Create("sg-"), JsonValue.Create("\ud800"), new JsonArray(), new JsonObject(),
            new JsonObject { ["items"] = new JsonArray(JsonValue.Create(1)) }, new JsonObject { ["content"] = new JsonObject() },
        ];
        var files = Directory.EnumerateFiles(CloudTrailCorpus.FilePath(Calls, string.Empty), "*.json")
            .Where(f => !f.EndsWith(".expected.json", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        var outcomes = new Dictionary<string, int>(StringComparer.Ordinal);

        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            for (var i = 0; i < 150; i++)
            {
                var mutated = i % 2 == 0 ? MutateBytes(bytes, random) : MutateJson(bytes, random, replacements);
                var text = Encoding.UTF8.GetString(mutated);
                CloudTrailReading reading, fromText;
                try
                {
                    reading = CloudTrailEventParser.Parse(mutated);
                    fromText = CloudTrailEventParser.Parse(text);
                }
                catch (Exception exception)
                {
                    throw new Xunit.Sdk.XunitException($"{Path.GetFileName(file)}, mutation {i}: {exception}\n{text}");
                }

                foreach (var outcome in new[] { reading, fromText })
                {
                    var key = outcome switch
                    {
                        SecurityGroupApiCall => "call",
                        IgnoredCloudTrailEvent ignored when reasons.Contains(ignored.Reason) && ignored.Problem.Length > 0 => ignored.Reason,
                        _ => throw new Xunit.Sdk.XunitException($"unexpected reading {outcome}"),
                    };
                    outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
                }
            }
        }

        // The mutations reach every outcome, so the property is not vacuous.
        Assert.True(outcomes.Count >= 4, string.Join(", ", outcomes));
    }

    private static byte[] MutateBytes(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var n = random.Next(1, 4); n > 0 && bytes.Count > 1; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 16), bytes.Count - at));
                    break;
                case 2:
                    bytes.InsertRange(at, "{}[]\",:\\u0000"u8.ToArray().Skip(random.Next(12)).Take(random.Next(1, 4)));
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    private static byte[] MutateJson(byte[] original, Random random, JsonNode?[] replacements)
    {
        var root = JsonNode.Parse(original)!;
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        for (var n = random.Next(1, 3); n > 0; n--)
        {
            var target = nodes[random.Next(1, nodes.Count)];
            var replacement = replacements[random.Next(replacements.Length)]?.DeepClone();
            switch (target.Parent)
            {
                case JsonObject parent:
                    parent[target.GetPropertyName()] = replacement;
                    break;
                case JsonArray parent:
                    parent[target.GetElementIndex()] = replacement;
                    break;
            }

            nodes.Clear();
            Collect(root, nodes);
        }

        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is not null)
            {
                Collect(child, nodes);
            }
        }
    }

    private static SecurityGroupApiCall Call(string file) => Assert.IsType<SecurityGroupApiCall>(CloudTrailCorpus.Parse(Calls, file));

    private static IgnoredCloudTrailEvent Ignored(CloudTrailReading reading) => Assert.IsType<IgnoredCloudTrailEvent>(reading);
}
