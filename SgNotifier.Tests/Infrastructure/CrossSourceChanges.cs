using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// One security-group change as both sources report it, for the two-source end-to-end tests (issue 17): the CloudTrail
/// EventBridge events are the real corpus files of <c>TestData/CloudTrail/security-group-call</c> and the Config item is
/// <c>samples/rdp-opened.json</c>, rewritten so that account, region, group id, rule ids, ports and times agree.
/// </summary>
/// <remarks>
/// The corpus events were recorded in account 210987654321, eu-west-1; the Config sample in 123456789012, us-east-1 (the
/// account and region of <see cref="ConfigChanges.Topic"/>). The events are moved into the sample's account and region
/// wholesale (every mention, so the actor's ARNs agree too), then the group, rule, ports, ids and times are set field by
/// field. Everything else (the actor, the request shape, the Config item's other rules) is the recorded text.
/// </remarks>
public static class CrossSourceChanges
{
    public const string Account = "123456789012";
    public const string Region = "us-east-1";
    public const string VpcId = "vpc-0f1e2d3c4b5a69788";

    /// <summary>The description both sources give the world-open rules (a revoke would carry none; atoms ignore it).</summary>
    public const string RuleDescription = "temp rdp";

    private const string CorpusAccount = "210987654321";
    private const string CorpusRegion = "eu-west-1";

    /// <summary>A fresh <c>sg-</c> id (17 hex digits), so no two tests share ledger, coverage or directory rows.</summary>
    public static string NewGroupId() => "sg-" + Hex(17);

    /// <summary>A fresh <c>sgr-</c> id (17 hex digits).</summary>
    public static string NewRuleId() => "sgr-" + Hex(17);

    /// <summary>
    /// <c>authorize-ingress-console-rdp-open-to-world.json</c>: tcp/<paramref name="port"/> from 0.0.0.0/0 added to
    /// <paramref name="groupId"/> at <paramref name="eventTime"/>, EC2 answering rule <paramref name="ruleId"/>.
    /// </summary>
    /// <returns>The EventBridge event (the SNS <c>Message</c>) and its CloudTrail <c>eventID</c>.</returns>
    public static (string Message, string EventId) AuthorizeIngressFromWorld(string groupId, string ruleId, int port, DateTimeOffset eventTime)
    {
        var root = Corpus("authorize-ingress-console-rdp-open-to-world.json", eventTime, out var detail, out var eventId);
        detail["requestParameters"]!["groupId"] = groupId;
        var permission = detail["requestParameters"]!["ipPermissions"]!["items"]![0]!;
        permission["fromPort"] = port;
        permission["toPort"] = port;
        permission["ipRanges"]!["items"]![0]!["description"] = RuleDescription;
        var rule = detail["responseElements"]!["securityGroupRuleSet"]!["items"]![0]!;
        rule["groupId"] = groupId;
        rule["securityGroupRuleId"] = ruleId;
        rule["fromPort"] = port;
        rule["toPort"] = port;
        rule["description"] = RuleDescription;
        rule["securityGroupRuleArn"] = $"arn:aws:ec2:{Region}:{Account}:security-group-rule/{ruleId}";
        return (root.ToJsonString(), eventId);
    }

    /// <summary><c>revoke-ingress-by-rule-ids-without-revoked-set-key-unverified.json</c>: rule <paramref name="ruleId"/> revoked from <paramref name="groupId"/> by id alone.</summary>
    public static (string Message, string EventId) RevokeIngressByRuleId(string groupId, string ruleId, DateTimeOffset eventTime)
    {
        var root = Corpus("revoke-ingress-by-rule-ids-without-revoked-set-key-unverified.json", eventTime, out var detail, out var eventId);
        detail["requestParameters"]!["groupId"] = groupId;
        detail["requestParameters"]!["securityGroupRuleIds"]!["items"] = new JsonArray(new JsonObject { ["securityGroupRuleId"] = ruleId });
        return (root.ToJsonString(), eventId);
    }

    /// <summary><c>create-tags-on-security-group.json</c>: <c>OwnerDL</c> of <paramref name="groupId"/> set to <paramref name="owner"/> at <paramref name="eventTime"/>.</summary>
    public static (string Message, string EventId) OwnerTagSet(string groupId, string owner, DateTimeOffset eventTime)
    {
        var root = Corpus("create-tags-on-security-group.json", eventTime, out var detail, out var eventId);
        detail["requestParameters"]!["resourcesSet"]!["items"]![0]!["resourceId"] = groupId;
        var tag = detail["requestParameters"]!["tagSet"]!["items"]![0]!;
        tag["key"] = "OwnerDL";
        tag["value"] = owner;
        return (root.ToJsonString(), eventId);
    }

    /// <summary><c>create-tags-on-security-group.json</c> tagging every group of <paramref name="groupIds"/> with <paramref name="key"/>=<paramref name="value"/> in one call.</summary>
    public static (string Message, string EventId) TagSetOnGroups(IReadOnlyList<string> groupIds, string key, string value, DateTimeOffset eventTime)
    {
        var root = Corpus("create-tags-on-security-group.json", eventTime, out var detail, out var eventId);
        detail["requestParameters"]!["resourcesSet"]!["items"] = new JsonArray(groupIds.Select(static id => (JsonNode)new JsonObject { ["resourceId"] = id }).ToArray());
        var tag = detail["requestParameters"]!["tagSet"]!["items"]![0]!;
        tag["key"] = key;
        tag["value"] = value;
        return (root.ToJsonString(), eventId);
    }

    /// <summary>
    /// <c>samples/rdp-opened.json</c> for <paramref name="groupId"/> owned by <paramref name="owner"/>, captured at
    /// <paramref name="capture"/>: one <c>CREATE</c> in the diff per port in <paramref name="portsFromWorld"/> (tcp from
    /// 0.0.0.0/0), the group then holding the sample's internal https rule and those.
    /// </summary>
    public static string ConfigRulesAdded(string groupId, string owner, DateTimeOffset capture, params int[] portsFromWorld) =>
        ConfigItem(groupId, owner, capture, portsFromWorld, []);

    /// <summary>
    /// <c>samples/rdp-opened.json</c> turned around: the world-open tcp/<paramref name="port"/> rule removed (a
    /// <c>DELETE</c> in the diff), the group then holding only the sample's internal https rule.
    /// </summary>
    public static string ConfigRuleRemoved(string groupId, string owner, DateTimeOffset capture, int port) =>
        ConfigItem(groupId, owner, capture, [], [port]);

    private static string ConfigItem(string groupId, string owner, DateTimeOffset capture, int[] added, int[] removed)
    {
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json")))!;
        var item = root["configurationItem"]!;
        item["resourceId"] = groupId;
        item["ARN"] = $"arn:aws:ec2:{Region}:{Account}:security-group/{groupId}";
        item["configurationItemCaptureTime"] = Time(capture, milliseconds: true);
        item["configurationStateId"] = capture.ToUnixTimeMilliseconds();
        item["relatedEvents"] = new JsonArray();
        item["tags"]!["OwnerDL"] = owner;
        root["notificationCreationTime"] = Time(capture.AddSeconds(9), milliseconds: true);

        var configuration = item["configuration"]!;
        configuration["groupId"] = groupId;
        foreach (var tag in configuration["tags"]!.AsArray())
        {
            if ((string?)tag!["key"] == "OwnerDL")
            {
                tag["value"] = owner;
            }
        }

        // The sample's first permission (internal https) stays; the world-open ones follow it, as Config lists them.
        var permissions = configuration["ipPermissions"]!.AsArray();
        var https = permissions[0]!.DeepClone();
        permissions.Clear();
        permissions.Add(https);
        var changed = new JsonObject();
        foreach (var port in added)
        {
            changed["Configuration.IpPermissions." + permissions.Count.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["previousValue"] = null,
                ["updatedValue"] = WorldOpen(port),
                ["changeType"] = "CREATE",
            };
            permissions.Add(WorldOpen(port));
        }

        for (var i = 0; i < removed.Length; i++)
        {
            changed["Configuration.IpPermissions." + (permissions.Count + i).ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["previousValue"] = WorldOpen(removed[i]),
                ["updatedValue"] = null,
                ["changeType"] = "DELETE",
            };
        }

        root["configurationItemDiff"]!["changedProperties"] = changed;
        return root.ToJsonString();
    }

    /// <summary>
    /// <see cref="TaggerAttacks.TagChange"/> (the sample with Config's <c>Configuration.Tags.N</c> diff) for
    /// <paramref name="groupId"/>: <c>OwnerDL</c> re-pointed from <paramref name="owner"/> to <paramref name="newOwner"/>,
    /// no rule changed, captured at <paramref name="capture"/>.
    /// </summary>
    public static string ConfigOwnerRepointed(string groupId, string owner, string newOwner, DateTimeOffset capture)
    {
        var root = JsonNode.Parse(TaggerAttacks.TagChange(TaggerAttacks.OptedIn(owner), TaggerAttacks.OptedIn(newOwner), capture.ToUnixTimeMilliseconds(), groupId: groupId))!;
        root["configurationItem"]!["configurationItemCaptureTime"] = Time(capture, milliseconds: true);
        root["configurationItem"]!["relatedEvents"] = new JsonArray();
        root["notificationCreationTime"] = Time(capture.AddSeconds(9), milliseconds: true);
        return root.ToJsonString();
    }

    /// <summary>AWS's event-time format: whole seconds (CloudTrail), or milliseconds (Config).</summary>
    public static string Time(DateTimeOffset time, bool milliseconds = false) =>
        time.UtcDateTime.ToString(milliseconds ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static JsonNode Corpus(string file, DateTimeOffset eventTime, out JsonNode detail, out string eventId)
    {
        var text = File.ReadAllText(RepositoryPaths.TestData("CloudTrail", "security-group-call", file))
            .Replace(CorpusAccount, Account, StringComparison.Ordinal)
            .Replace(CorpusRegion, Region, StringComparison.Ordinal);
        var root = JsonNode.Parse(text)!;
        eventId = Guid.NewGuid().ToString();
        root["id"] = Guid.NewGuid().ToString();
        root["time"] = Time(eventTime);
        detail = root["detail"]!;
        detail["eventTime"] = Time(eventTime);
        detail["eventID"] = eventId;
        var requestId = Guid.NewGuid().ToString();
        detail["requestID"] = requestId;
        detail["responseElements"]!["requestId"] = requestId;
        return root;
    }

    private static JsonObject WorldOpen(int port) => new()
    {
        ["ipProtocol"] = "tcp",
        ["fromPort"] = port,
        ["toPort"] = port,
        ["ipv6Ranges"] = new JsonArray(),
        ["prefixListIds"] = new JsonArray(),
        ["userIdGroupPairs"] = new JsonArray(),
        ["ipv4Ranges"] = new JsonArray(new JsonObject { ["cidrIp"] = "0.0.0.0/0", ["description"] = RuleDescription }),
        ["ipRanges"] = new JsonArray("0.0.0.0/0"),
    };

    private static string Hex(int digits) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes((digits + 1) / 2))[..digits];
}
