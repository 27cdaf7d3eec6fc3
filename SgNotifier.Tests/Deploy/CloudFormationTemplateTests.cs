using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Deploy;

public class CloudFormationTemplateTests
{
    // SNS's hard limit on the total time of an HTTP/S delivery policy
    // (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
    private const int SnsMaximumRetrySeconds = 3600;

    // "Retries for the full hour": even in the least favourable reading of the back-off phase, retrying must last 50 minutes.
    private const int MinimumRetrySeconds = 3000;

    private readonly CloudFormationTemplate template = CloudFormationTemplate.Load();

    [Fact]
    public void Topic_UsesSignatureVersion2()
    {
        var (_, topic) = Named("ConfigTopic");

        Assert.Equal("2", Text(topic["Properties"]?["SignatureVersion"]));
        Assert.Null(topic["Properties"]?["KmsMasterKeyId"]);
    }

    [Fact]
    public void TopicPolicy_LetsAwsConfigOfThisAccountPublish()
    {
        var (topicId, _) = Named("ConfigTopic");
        var (_, policy) = Named("ConfigTopicPolicy");

        Assert.Contains(policy["Properties"]?["Topics"]?.AsArray() ?? [], t => RefersTo(t, topicId));
        var document = CloudFormationTemplate.Resolve(policy["Properties"]?["PolicyDocument"], new HashSet<string>());
        var statement = Assert.Single(Statements(document), s => (string?)s["Effect"] == "Allow");
        Assert.Equal("config.amazonaws.com", (string?)statement["Principal"]?["Service"]);
        Assert.Equal(["sns:Publish"], Strings(statement["Action"]));
        Assert.True(RefersTo(statement["Resource"], topicId), "The statement must name the topic, not *.");
        Assert.Equal("AWS::AccountId", (string?)statement["Condition"]?["StringEquals"]?["AWS:SourceAccount"]?["Ref"]);
    }

    [Fact]
    public void Subscription_IsHttpsToTheFunctionUrlParameter()
    {
        var properties = Named("FunctionSubscription").Value["Properties"]!;

        Assert.Equal("https", (string?)properties["Protocol"]);
        var endpointParameter = (string?)properties["Endpoint"]?["Ref"];
        Assert.NotNull(endpointParameter);
        var parameter = template.Parameters[endpointParameter]!;
        Assert.True((bool?)parameter["NoEcho"], "The endpoint carries the function key: it must be NoEcho.");
        Assert.StartsWith("^https://", (string?)parameter["AllowedPattern"], StringComparison.Ordinal);
        Assert.False((bool?)properties["RawMessageDelivery"] ?? false, "Raw delivery strips the signature the app verifies.");
    }

    [Fact]
    public void Subscription_TopicIsTheCreatedOrTheExistingOne()
    {
        var (topicId, _) = Named("ConfigTopic");
        var topicArn = Named("FunctionSubscription").Value["Properties"]?["TopicArn"];

        var choice = Assert.IsType<JsonArray>(topicArn?["Fn::If"]);
        Assert.Equal((string?)template.Resource(topicId)["Condition"], (string?)choice[0]);
        Assert.True(RefersTo(choice[1], topicId));
        Assert.True(template.Parameters.ContainsKey((string?)choice[2]?["Ref"] ?? string.Empty));
    }

    [Fact]
    public void DeliveryPolicy_RetriesForCloseToTheFullHourWithoutExceedingIt()
    {
        var retry = Named("FunctionSubscription").Value["Properties"]?["DeliveryPolicy"]?["healthyRetryPolicy"];
        Assert.NotNull(retry);

        var numRetries = Int(retry["numRetries"]);
        var noDelay = Int(retry["numNoDelayRetries"]);
        var minDelayRetries = Int(retry["numMinDelayRetries"]);
        var maxDelayRetries = Int(retry["numMaxDelayRetries"]);
        var minDelay = Int(retry["minDelayTarget"]);
        var maxDelay = Int(retry["maxDelayTarget"]);
        var backoffRetries = numRetries - noDelay - minDelayRetries - maxDelayRetries;

        Assert.InRange(numRetries, 0, 100);
        Assert.InRange(minDelay, 1, maxDelay);
        Assert.InRange(maxDelay, minDelay, SnsMaximumRetrySeconds);
        Assert.True(backoffRetries >= 0, "numRetries must cover the immediate, minimum-delay and maximum-delay phases.");
        Assert.Contains((string?)retry["backoffFunction"], new[] { "linear", "arithmetic", "geometric", "exponential" });

        // The back-off phase's delays lie between minDelayTarget and maxDelayTarget whatever the function.
        var longest = (minDelayRetries * minDelay) + (backoffRetries * maxDelay) + (maxDelayRetries * maxDelay);
        var shortest = (minDelayRetries * minDelay) + (backoffRetries * minDelay) + (maxDelayRetries * maxDelay);
        Assert.True(longest <= SnsMaximumRetrySeconds, $"Retries may take {longest} s; SNS allows {SnsMaximumRetrySeconds} s.");
        Assert.True(shortest >= MinimumRetrySeconds, $"Retries may end after {shortest} s; they should use most of the hour.");
    }

    [Fact]
    public void RedrivePolicy_DeadLettersToAQueueThatTheTopicMaySendTo()
    {
        var subscription = Named("FunctionSubscription").Value;
        var target = subscription["Properties"]?["RedrivePolicy"]?["deadLetterTargetArn"]?["Fn::GetAtt"];
        Assert.NotNull(target);
        var queueId = (string?)target[0];
        Assert.Equal("Arn", (string?)target[1]);
        Assert.Equal("AWS::SQS::Queue", (string?)template.Resource(queueId!)["Type"]);

        var queuePolicy = template.ResourcesOfType("AWS::SQS::QueuePolicy")
            .Single(p => p.Value["Properties"]!["Queues"]!.AsArray().Any(q => RefersTo(q, queueId!))).Value;
        var statement = Assert.Single(Statements(queuePolicy["Properties"]?["PolicyDocument"]), s => (string?)s["Effect"] == "Allow");
        Assert.Equal("sns.amazonaws.com", (string?)statement["Principal"]?["Service"]);
        Assert.Equal(["sqs:SendMessage"], Strings(statement["Action"]));
        Assert.Equal(queueId, (string?)statement["Resource"]?["Fn::GetAtt"]?[0]);
        var sourceArn = statement["Condition"]?["ArnEquals"]?["aws:SourceArn"];
        Assert.Equal(
            subscription["Properties"]?["TopicArn"]?.ToJsonString(),
            sourceArn?.ToJsonString());
        Assert.Contains("DeadLetterQueuePolicy", DependsOn(subscription));
    }

    [Fact]
    public void ConfigRecorderAndDeliveryChannel_AreOptionalByParameter()
    {
        var (recorderId, recorder) = template.SingleResourceOfType("AWS::Config::ConfigurationRecorder");
        var (_, channel) = template.SingleResourceOfType("AWS::Config::DeliveryChannel");

        var condition = (string?)recorder["Condition"];
        Assert.NotNull(condition);
        Assert.Equal(condition, (string?)channel["Condition"]);
        var test = Assert.IsType<JsonArray>(template.Conditions[condition]?["Fn::Equals"]);
        var parameter = (string?)test[0]?["Ref"];
        Assert.NotNull(parameter);
        Assert.Equal("false", (string?)template.Parameters[parameter]?["Default"]);
        Assert.Contains(recorderId, DependsOn(channel));
    }

    [Fact]
    public void ConfigRecorder_RecordsOnlySecurityGroupsContinuously()
    {
        var properties = template.SingleResourceOfType("AWS::Config::ConfigurationRecorder").Value["Properties"]!;

        var group = properties["RecordingGroup"]!;
        Assert.False((bool?)group["AllSupported"]);
        Assert.False((bool?)group["IncludeGlobalResourceTypes"]);
        Assert.Equal(["AWS::EC2::SecurityGroup"], Strings(group["ResourceTypes"]));
        Assert.Equal("CONTINUOUS", (string?)properties["RecordingMode"]?["RecordingFrequency"]);

        var roleId = (string?)properties["RoleARN"]?["Fn::GetAtt"]?[0];
        var role = template.Properties(roleId!);
        Assert.Contains(
            role["ManagedPolicyArns"]!.AsArray(),
            arn => ((string?)arn?["Fn::Sub"] ?? (string?)arn)?.EndsWith(":iam::aws:policy/service-role/AWS_ConfigRole", StringComparison.Ordinal) == true);
        Assert.Equal("config.amazonaws.com", (string?)Statements(role["AssumeRolePolicyDocument"]).Single()["Principal"]?["Service"]);
    }

    [Fact]
    public void DeliveryChannel_PublishesToTheSubscribedTopic()
    {
        var channel = template.SingleResourceOfType("AWS::Config::DeliveryChannel").Value["Properties"]!;
        var subscription = Named("FunctionSubscription").Value["Properties"]!;

        Assert.Equal(subscription["TopicArn"]?.ToJsonString(), channel["SnsTopicARN"]?.ToJsonString());
        Assert.NotNull(channel["S3BucketName"]);
    }

    [Fact]
    public void SesPolicy_AllowsOnlySendingAsTheVerifiedIdentity()
    {
        var sesPolicies = template.ResourcesOfType("AWS::IAM::Policy")
            .Where(p => Statements(p.Value["Properties"]?["PolicyDocument"]).Any(s => Strings(s["Action"]).Any(a => a.StartsWith("ses:", StringComparison.Ordinal))))
            .ToList();
        var policy = Assert.Single(sesPolicies).Value;

        Assert.NotNull(policy["Condition"]);
        var statement = Assert.Single(Statements(policy["Properties"]?["PolicyDocument"]));
        Assert.Equal("Allow", (string?)statement["Effect"]);
        Assert.Equal(["ses:SendEmail", "ses:SendRawEmail"], Strings(statement["Action"]).Order(StringComparer.Ordinal));
        var resources = statement["Resource"]!.AsArray();
        Assert.Contains(resources, r => ((string?)r?["Fn::Sub"])?.EndsWith(":identity/${SesIdentity}", StringComparison.Ordinal) == true);
        Assert.All(
            CloudFormationTemplate.Descendants(resources).OfType<JsonValue>().Select(static v => v.ToString()),
            r => Assert.DoesNotContain(":identity/*", r, StringComparison.Ordinal));
        Assert.DoesNotContain(resources, r => r is JsonValue v && v.ToString() == "*");
    }

    [Fact]
    public void OversizedReadPolicy_AllowsOnlyGetObjectAndDescribeSecurityGroups()
    {
        var policy = template.ResourcesOfType("AWS::IAM::Policy")
            .Single(p => Statements(p.Value["Properties"]?["PolicyDocument"]).Any(s => Strings(s["Action"]).Contains("s3:GetObject"))).Value;

        var actions = Statements(policy["Properties"]?["PolicyDocument"]).SelectMany(s => Strings(s["Action"])).Order(StringComparer.Ordinal);
        Assert.Equal(["ec2:DescribeSecurityGroups", "s3:GetObject"], actions);
        Assert.NotNull(policy["Condition"]);
    }

    [Fact]
    public void AllowStatements_NeverGrantWildcardActions()
    {
        var allows = CloudFormationTemplate.Descendants(template.Resources)
            .OfType<JsonObject>()
            .Where(static o => (string?)o["Effect"] == "Allow")
            .ToList();

        Assert.NotEmpty(allows);
        Assert.All(allows, s => Assert.All(Strings(s["Action"]), a => Assert.DoesNotContain("*", a, StringComparison.Ordinal)));
    }

    [Fact]
    public void Template_CreatesNoAccessKey()
    {
        // A CloudFormation-made key's secret would be readable from the stack: keys are made by hand and go to Key Vault.
        Assert.Empty(template.ResourcesOfType("AWS::IAM::AccessKey"));
    }

    [Fact]
    public void EveryRefGetAttAndSub_NamesADeclaredParameterResourceOrPseudoParameter()
    {
        var declared = template.Parameters.Select(static p => p.Key)
            .Concat(template.Resources.Select(static r => r.Key))
            .Concat(CloudFormationTemplate.PseudoParameters)
            .ToHashSet(StringComparer.Ordinal);
        var references = new List<string>();
        foreach (var node in CloudFormationTemplate.Descendants(template.Root).OfType<JsonObject>())
        {
            if (node["Ref"] is JsonValue reference)
            {
                references.Add(reference.ToString());
            }

            if (node["Fn::GetAtt"] is JsonArray getAtt)
            {
                references.Add((string?)getAtt[0] ?? string.Empty);
                Assert.True(template.Resources.ContainsKey((string?)getAtt[0] ?? string.Empty), $"!GetAtt {getAtt[0]} names no resource.");
            }

            if (node["Fn::Sub"] is { } sub)
            {
                var (text, variables) = sub is JsonArray pair
                    ? ((string?)pair[0] ?? string.Empty, pair[1] as JsonObject)
                    : (sub.ToString(), null);
                references.AddRange(CloudFormationTemplate.SubstitutionNames(text)
                    .Select(static name => name.StartsWith("AWS::", StringComparison.Ordinal) ? name : name.Split('.')[0])
                    .Where(name => variables?.ContainsKey(name) != true));
            }
        }

        Assert.NotEmpty(references);
        Assert.All(references, name => Assert.True(declared.Contains(name), $"{name} is referenced but not declared."));
    }

    [Fact]
    public void EveryConditionUsed_IsDeclared()
    {
        var used = new List<string>();
        foreach (var section in new[] { template.Resources, template.Outputs })
        {
            used.AddRange(section.Select(static e => (string?)e.Value?["Condition"]).OfType<string>());
        }

        foreach (var node in CloudFormationTemplate.Descendants(template.Root).OfType<JsonObject>())
        {
            if (node["Fn::If"] is JsonArray choice)
            {
                used.Add((string?)choice[0] ?? string.Empty);
            }

            // The long form of !Condition X; an IAM Condition block is an object, never a string.
            if (node.Count == 1 && node["Condition"] is JsonValue name)
            {
                used.Add(name.ToString());
            }
        }

        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(template.Conditions.ContainsKey(name), $"Condition {name} is used but not declared."));
    }

    [Fact]
    public void Outputs_GiveTheTopicArnAndTheSubscription()
    {
        Assert.True(RefersTo(template.Outputs["SubscriptionArn"]?["Value"], Named("FunctionSubscription").Key));
        Assert.NotNull(template.Outputs["TopicArn"]?["Value"]?["Fn::If"]);
    }

    private KeyValuePair<string, JsonObject> Named(string logicalId) => KeyValuePair.Create(logicalId, template.Resource(logicalId));

    private static IEnumerable<JsonObject> Statements(JsonNode? document) =>
        document?["Statement"] switch
        {
            JsonArray statements => statements.OfType<JsonObject>(),
            JsonObject statement => [statement],
            _ => throw new Xunit.Sdk.XunitException("Policy document without statements."),
        };

    private static IReadOnlyList<string> Strings(JsonNode? node) =>
        node switch
        {
            null => [],
            JsonArray array => array.Select(static n => (string?)n ?? string.Empty).ToList(),
            _ => [node.ToString()],
        };

    private static IReadOnlyList<string> DependsOn(JsonObject resource) => Strings(resource["DependsOn"]);

    private static bool RefersTo(JsonNode? node, string logicalId) => (string?)node?["Ref"] == logicalId;

    private static string? Text(JsonNode? node) => node?.ToString();

    private static int Int(JsonNode? node) =>
        node is JsonValue value && int.TryParse(value.ToString(), out var number)
            ? number
            : throw new Xunit.Sdk.XunitException($"Expected a number, found {node?.ToJsonString() ?? "nothing"}.");
}
