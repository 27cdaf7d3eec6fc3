using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// The CloudTrail source's deployment (issue 17, part 6): the hub's EventBridge rule that publishes security-group API
/// calls to the topic, the members' rules that forward theirs to the hub's default bus, and the policies that let
/// exactly those through. The rule pattern is evaluated against the CloudTrail corpus of <c>TestData/CloudTrail</c>.
/// </summary>
public class CloudTrailSourceTemplateTests
{
    /// <summary>The calls the CloudTrail source reads (issue 17, part 2; REFERENCE-cloudtrail §a).</summary>
    private static readonly string[] TheElevenCalls =
    [
        "AuthorizeSecurityGroupEgress", "AuthorizeSecurityGroupIngress", "CreateSecurityGroup", "CreateTags",
        "DeleteSecurityGroup", "DeleteTags", "ModifySecurityGroupRules", "RevokeSecurityGroupEgress",
        "RevokeSecurityGroupIngress", "UpdateSecurityGroupRuleDescriptionsEgress", "UpdateSecurityGroupRuleDescriptionsIngress",
    ];

    private static readonly HashSet<string> CloudTrail = new(StringComparer.Ordinal) { "CloudTrailSource" };

    private static readonly HashSet<string> CloudTrailInAnOrganisation =
        new(StringComparer.Ordinal) { "CloudTrailSource", "HasOrganization", "CloudTrailFromMembers" };

    private readonly CloudFormationTemplate hub = CloudFormationTemplate.Load();
    private readonly CloudFormationTemplate member = CloudFormationTemplate.LoadMember();

    public static TheoryData<string, string> Rules => new()
    {
        { CloudFormationTemplate.RelativePath, "CloudTrailRule" },
        { CloudFormationTemplate.MemberRelativePath, "CloudTrailForwardRule" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void RulePattern_ListsExactlyTheElevenCallsOfEc2ViaCloudTrail(string path, string rule)
    {
        var pattern = CloudFormationTemplate.Load(path).Properties(rule)["EventPattern"]!;

        Assert.Equal(["aws.ec2"], CloudFormationTemplate.Strings(pattern["source"]));
        Assert.Equal(["AWS API Call via CloudTrail"], CloudFormationTemplate.Strings(pattern["detail-type"]));
        Assert.Equal(["ec2.amazonaws.com"], CloudFormationTemplate.Strings(pattern["detail"]?["eventSource"]));
        var names = EventNames(pattern).ToList();
        Assert.Equal(TheElevenCalls, names.Order(StringComparer.Ordinal));
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        // Failed calls are sent on purpose: the app logs the attempt and ignores it as call-failed.
        Assert.DoesNotContain("errorCode", pattern.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MemberRule_ForwardsWhatTheHubRulePublishes()
    {
        Assert.True(JsonNode.DeepEquals(
            hub.Properties("CloudTrailRule")["EventPattern"],
            member.Properties("CloudTrailForwardRule")["EventPattern"]));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void RuleTarget_SendsTheRawEventWithRetriesAndADeadLetterQueue(string path, string rule)
    {
        var template = CloudFormationTemplate.Load(path);
        var properties = template.Properties(rule);
        var target = Assert.IsType<JsonObject>(Assert.Single(properties["Targets"]!.AsArray()));

        // The app needs the event as AWS sent it: any of these would replace it.
        Assert.Null(target["Input"]);
        Assert.Null(target["InputPath"]);
        Assert.Null(target["InputTransformer"]);
        Assert.Equal("default", (string?)properties["EventBusName"]);
        Assert.Equal("ENABLED", (string?)properties["State"]);
        Assert.InRange((long)target["RetryPolicy"]!["MaximumRetryAttempts"]!, 1, 185);
        Assert.InRange((long)target["RetryPolicy"]!["MaximumEventAgeInSeconds"]!, 60, 86400);

        var queue = (string?)target["DeadLetterConfig"]?["Arn"]?["Fn::GetAtt"]?[0];
        Assert.NotNull(queue);
        Assert.Equal("AWS::SQS::Queue", (string?)template.Resource(queue)["Type"]);
        var (_, queuePolicy) = template.ResourcesOfType("AWS::SQS::QueuePolicy")
            .Single(p => (string?)p.Value["Properties"]?["Queues"]?[0]?["Ref"] == queue);
        var statement = Assert.Single(CloudFormationTemplate.Statements(queuePolicy["Properties"]?["PolicyDocument"]));
        Assert.Equal("events.amazonaws.com", (string?)statement["Principal"]?["Service"]);
        Assert.Equal(["sqs:SendMessage"], CloudFormationTemplate.Strings(statement["Action"]));
        Assert.Equal(rule, (string?)statement["Condition"]?["ArnEquals"]?["aws:SourceArn"]?["Fn::GetAtt"]?[0]);
    }

    [Fact]
    public void HubRule_PublishesToTheSubscribedTopicWithoutARole()
    {
        var target = hub.Properties("CloudTrailRule")["Targets"]![0]!;

        // An SNS target is authorised by the topic policy; a RoleArn can make delivery fail.
        Assert.Null(target["RoleArn"]);
        Assert.True(JsonNode.DeepEquals(hub.Properties("FunctionSubscription")["TopicArn"], target["Arn"]));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TopicPolicy_LetsEventBridgePublishOnlyForTheCloudTrailRuleOfThisAccount(bool organisation)
    {
        var statements = CloudFormationTemplate.Statements(CloudFormationTemplate.Resolve(
            hub.Properties("ConfigTopicPolicy")["PolicyDocument"], organisation ? CloudTrailInAnOrganisation : CloudTrail));

        var events = Assert.Single(statements, static s => IsEventBridge(s));
        Assert.Equal("Allow", (string?)events["Effect"]);
        Assert.Equal(["sns:Publish"], CloudFormationTemplate.Strings(events["Action"]));
        var condition = events["Condition"]!.AsObject();
        Assert.Equal(["ArnEquals", "StringEquals"], condition.Select(static c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["CloudTrailRule", "Arn"], CloudFormationTemplate.Strings(condition["ArnEquals"]?["aws:SourceArn"]?["Fn::GetAtt"]));
        Assert.Equal("AWS::AccountId", (string?)condition["StringEquals"]?["AWS:SourceAccount"]?["Ref"]);
        Assert.Single(condition["StringEquals"]!.AsObject());
    }

    [Fact]
    public void TopicPolicy_WithoutTheCloudTrailSource_LetsNoEventBridgeRulePublish()
    {
        var statements = CloudFormationTemplate.Statements(
            CloudFormationTemplate.Resolve(hub.Properties("ConfigTopicPolicy")["PolicyDocument"], new HashSet<string>()));

        Assert.DoesNotContain(statements, static s => IsEventBridge(s));
    }

    [Theory]
    [InlineData(CloudFormationTemplate.RelativePath, "CloudTrailSource", "CloudTrailFromMembers")]
    [InlineData(CloudFormationTemplate.MemberRelativePath, "ForwardCloudTrail", "AlarmOnFailedForwarding")]
    public void CloudTrailResources_ExistOnlyWithTheSwitchOn_WhichIsOffByDefault(string path, string condition, string narrower)
    {
        var template = CloudFormationTemplate.Load(path);

        Assert.Equal("false", template.Parameters["EnableCloudTrailSource"]?["Default"]?.ToString());
        var resources = template.Resources
            .Where(static r => r.Key.StartsWith("CloudTrail", StringComparison.Ordinal) || ((string?)r.Value?["Type"])?.StartsWith("AWS::Events::", StringComparison.Ordinal) == true)
            .ToList();
        Assert.NotEmpty(resources);
        Assert.All(resources, r => Assert.Contains((string?)r.Value?["Condition"], new[] { condition, narrower }));
        Assert.Contains(condition, template.Conditions[narrower]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains("EnableCloudTrailSource", template.Conditions[condition]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void MemberForwarding_IsNeverCreatedInTheHubAccount()
    {
        // The hub's own rule sees the hub account's calls; a rule forwarding the hub's bus to itself would loop.
        var test = member.Conditions["ForwardCloudTrail"]?["Fn::And"]?[1]?["Fn::Not"]?[0]?["Fn::Equals"];

        Assert.Equal("AWS::AccountId", (string?)test?[0]?["Ref"]);
        Assert.Equal("HubAccountId", (string?)test?[1]?["Ref"]);
    }

    [Fact]
    public void MemberForwarderRole_MayOnlyPutEventsOnTheHubsBusOfItsRegion_AndIsWhatTheHubBusAdmits()
    {
        var role = member.Properties("CloudTrailForwarderRole");
        var target = member.Properties("CloudTrailForwardRule")["Targets"]![0]!;
        const string hubBus = "arn:${AWS::Partition}:events:${AWS::Region}:${HubAccountId}:event-bus/default";

        Assert.Null(role["RoleName"]);
        Assert.Equal("CloudTrailForwarderRole", (string?)target["RoleArn"]?["Fn::GetAtt"]?[0]);
        Assert.Equal(hubBus, (string?)target["Arn"]?["Fn::Sub"]);
        var trust = Assert.Single(CloudFormationTemplate.Statements(role["AssumeRolePolicyDocument"]));
        Assert.Equal("events.amazonaws.com", (string?)trust["Principal"]?["Service"]);
        Assert.Equal("AWS::AccountId", (string?)trust["Condition"]?["StringEquals"]?["AWS:SourceAccount"]?["Ref"]);
        var grant = Assert.Single(role["Policies"]!.AsArray().SelectMany(p => CloudFormationTemplate.Statements(p?["PolicyDocument"])));
        Assert.Equal(["events:PutEvents"], CloudFormationTemplate.Strings(grant["Action"]));
        Assert.Equal(hubBus, (string?)grant["Resource"]?["Fn::Sub"]);

        var busPolicy = hub.Properties("CloudTrailMemberForwarding");
        var admitted = (string?)busPolicy["Statement"]?["Condition"]?["ArnLike"]?["aws:PrincipalArn"]?["Fn::Sub"];
        Assert.Equal($"arn:${{AWS::Partition}}:iam::*:role{(string?)role["Path"]}*", admitted);
    }

    [Fact]
    public void HubBus_AdmitsForwardersOfTheOrganisationOnly()
    {
        var resource = hub.Resource("CloudTrailMemberForwarding");
        var statement = hub.Properties("CloudTrailMemberForwarding")["Statement"]!;

        Assert.Equal("CloudTrailFromMembers", (string?)resource["Condition"]);
        Assert.Equal("default", (string?)resource["Properties"]?["EventBusName"]);
        Assert.Equal("Allow", (string?)statement["Effect"]);
        Assert.Equal(["events:PutEvents"], CloudFormationTemplate.Strings(statement["Action"]));
        Assert.Equal("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default", (string?)statement["Resource"]?["Fn::Sub"]);
        Assert.Equal("OrganizationId", (string?)statement["Condition"]?["StringEquals"]?["aws:PrincipalOrgID"]?["Ref"]);
        Assert.Equal(["CloudTrailSource", "HasOrganization"], hub.Conditions["CloudTrailFromMembers"]!["Fn::And"]!.AsArray().Select(static c => (string?)c?["Condition"]).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(CloudFormationTemplate.RelativePath, "CloudTrailRuleFailedInvocationsAlarm", "CloudTrailRule")]
    [InlineData(CloudFormationTemplate.MemberRelativePath, "CloudTrailForwardFailedAlarm", "CloudTrailForwardRule")]
    public void FailedInvocationsOfTheRule_Alarm(string path, string alarm, string rule)
    {
        var properties = CloudFormationTemplate.Load(path).Properties(alarm);

        Assert.Equal("AWS/Events", (string?)properties["Namespace"]);
        Assert.Equal("FailedInvocations", (string?)properties["MetricName"]);
        var dimension = Assert.Single(properties["Dimensions"]!.AsArray());
        Assert.Equal("RuleName", (string?)dimension?["Name"]);
        Assert.Equal(rule, (string?)dimension?["Value"]?["Ref"]);
        Assert.Equal(0L, (long?)properties["Threshold"]);
        Assert.Equal("GreaterThanThreshold", (string?)properties["ComparisonOperator"]);
        Assert.Single(properties["AlarmActions"]!.AsArray());
    }

    public static TheoryData<string> SentCalls() => Corpus("security-group-call", "call-failed");

    public static TheoryData<string> OtherEvents() => Corpus("not-security-group-call");

    [Theory]
    [MemberData(nameof(SentCalls))]
    public void RulePattern_MatchesEverySecurityGroupCall_FailedOnesToo(string file)
    {
        Assert.True(PatternMatches(hub.Properties("CloudTrailRule")["EventPattern"]!.AsObject(), Load(file)), $"{file} would not be sent.");
    }

    [Theory]
    [MemberData(nameof(OtherEvents))]
    public void RulePattern_LeavesOtherCallsAndTagsOfOtherResourcesOut(string file)
    {
        Assert.False(PatternMatches(hub.Properties("CloudTrailRule")["EventPattern"]!.AsObject(), Load(file)), $"{file} would be sent.");
    }

    [Fact]
    public void RulePattern_SendsATagCallNamingAGroupAmongOtherResources()
    {
        var call = JsonNode.Parse("""
            {"source":"aws.ec2","detail-type":"AWS API Call via CloudTrail","detail":{"eventSource":"ec2.amazonaws.com",
             "eventName":"DeleteTags","requestParameters":{"resourcesSet":{"items":[{"resourceId":"i-0123456789abcdef0"},
             {"resourceId":"sgr-0123456789abcdef0"},{"resourceId":"sg-0123456789abcdef0"}]}}}}
            """);
        var instanceOnly = JsonNode.Parse(call!.ToJsonString().Replace("sg-0123456789abcdef0", "vol-0123456789abcdef0", StringComparison.Ordinal));
        var pattern = hub.Properties("CloudTrailRule")["EventPattern"]!.AsObject();

        Assert.True(PatternMatches(pattern, call));
        Assert.False(PatternMatches(pattern, instanceOnly));
    }

    private static bool IsEventBridge(JsonObject statement) =>
        statement["Principal"] is JsonObject principal && (string?)principal["Service"] == "events.amazonaws.com";

    private static TheoryData<string> Corpus(params string[] folders)
    {
        var data = new TheoryData<string>();
        foreach (var folder in folders)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "CloudTrail", folder), "*.json")
                .Where(static f => !f.EndsWith(".expected.json", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal))
            {
                data.Add($"{folder}/{Path.GetFileName(file)}");
            }
        }

        return data;
    }

    private static JsonNode? Load(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "CloudTrail", file)));

    private static IEnumerable<string> EventNames(JsonNode pattern)
    {
        var detail = pattern["detail"]!.AsObject();
        var alternatives = detail["$or"] is JsonArray or ? or.Select(static a => a!) : [detail];
        return alternatives.SelectMany(static a => CloudFormationTemplate.Strings(a["eventName"]));
    }

    /// <summary>
    /// EventBridge pattern matching for what the rules use: every key must match (AND), <c>$or</c> of alternatives,
    /// leaf lists of exact strings or <c>{"prefix": …}</c>; an event array matches when any element does, and arrays of
    /// objects are matched through their objects (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html;
    /// github.com/aws/event-ruler, "JSON Array Matching"). Not EventBridge itself.
    /// </summary>
    private static bool PatternMatches(JsonObject pattern, JsonNode? @event) =>
        pattern.All(entry => entry.Key == "$or"
            ? entry.Value!.AsArray().Any(alternative => PatternMatches(alternative!.AsObject(), @event))
            : entry.Value switch
            {
                JsonArray accepted => Field(@event, entry.Key).OfType<JsonValue>().Any(value => accepted.Any(a => LeafMatches(a!, value))),
                JsonObject nested => Field(@event, entry.Key).OfType<JsonObject>().Any(inner => PatternMatches(nested, inner)),
                _ => throw new Xunit.Sdk.XunitException($"Unsupported pattern at {entry.Key}."),
            });

    private static IEnumerable<JsonNode> Field(JsonNode? node, string key) => node switch
    {
        JsonObject o => Flatten(o[key]),
        JsonArray a => a.SelectMany(element => Field(element, key)),
        _ => [],
    };

    private static IEnumerable<JsonNode> Flatten(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a => a.SelectMany(Flatten),
        _ => [node],
    };

    private static bool LeafMatches(JsonNode accepted, JsonValue value)
    {
        if (!value.TryGetValue<string>(out var text))
        {
            return false;
        }

        return accepted switch
        {
            JsonValue exact => (string?)exact == text,
            JsonObject { Count: 1 } o when o["prefix"] is JsonValue prefix => text.StartsWith((string)prefix!, StringComparison.Ordinal),
            _ => throw new Xunit.Sdk.XunitException($"Unsupported pattern operator {accepted.ToJsonString()}."),
        };
    }
}
