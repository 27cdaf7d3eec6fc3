using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// The organisation layout of issues 13, 15 and 16: the hub template (<c>deploy/aws/sgnotifier.yaml</c>) that only AWS
/// services may publish to, with its filter, logging, alarms and web-identity role, and the member template
/// (<c>deploy/aws/sgnotifier-member.yaml</c>) with its recorder and least-privilege reader role.
/// </summary>
public partial class HubAndMemberTemplateTests
{
    private const string TenantId = "00000000-0000-0000-0000-0000000000aa";
    private const string Audience = "api://00000000-0000-0000-0000-0000000000bb";
    private const string PrincipalId = "00000000-0000-0000-0000-0000000000cc";

    private static readonly HashSet<string> NoConditions = [];

    private readonly CloudFormationTemplate hub = CloudFormationTemplate.Load();
    private readonly CloudFormationTemplate member = CloudFormationTemplate.LoadMember();

    [Theory]
    [InlineData(false, false, new[] { "config.amazonaws.com" })]
    [InlineData(true, false, new[] { "config.amazonaws.com", "events.amazonaws.com" })]
    [InlineData(false, true, new[] { "config.amazonaws.com" })]
    [InlineData(true, true, new[] { "config.amazonaws.com", "events.amazonaws.com" })]
    public void TopicPolicy_DeniesEveryPublisherButTheAwsServicesThatMustPublish(bool cloudTrail, bool operators, string[] services)
    {
        var conditions = new HashSet<string>();
        if (cloudTrail)
        {
            conditions.Add("CloudTrailSource");
        }

        if (operators)
        {
            conditions.Add("HasOperatorPublishers");
        }

        var statements = TopicPolicy(conditions);
        var deny = Assert.Single(statements, s => (string?)s["Effect"] == "Deny");

        Assert.Equal("*", deny["Principal"]?.ToString());
        Assert.Equal(["sns:Publish"], CloudFormationTemplate.Strings(deny["Action"]));
        Assert.Equal("ConfigTopic", (string?)deny["Resource"]?["Ref"]);
        // A negated operator is true when the key is absent: every caller that is not one of these services is denied.
        Assert.Equal(services, CloudFormationTemplate.Strings(deny["Condition"]?["StringNotEquals"]?["aws:PrincipalServiceName"]));
        var exemptions = deny["Condition"]?["ArnNotLike"]?["aws:PrincipalArn"];
        if (operators)
        {
            Assert.Equal("OperatorPublisherArns", (string?)exemptions?["Ref"]);
        }
        else
        {
            Assert.Null(deny["Condition"]?["ArnNotLike"]);
        }

        Assert.Equal(2, deny["Condition"]!.AsObject().Count + (operators ? 0 : 1));

        // Every Allow names a service principal and is limited to this account or organisation: none to * or an account.
        var allows = statements.Where(static s => (string?)s["Effect"] == "Allow").ToList();
        Assert.Equal(services.Order(StringComparer.Ordinal), allows.Select(static a => (string?)a["Principal"]?["Service"]).Order(StringComparer.Ordinal));
        Assert.All(allows, a => Assert.Equal("AWS::AccountId", (string?)a["Condition"]?["StringEquals"]?["AWS:SourceAccount"]?["Ref"]));
    }

    [Fact]
    public void TopicPolicy_OfAnOrganisationAllowsConfigOfEveryMemberAccountOnly()
    {
        var statements = TopicPolicy(new HashSet<string> { "HasOrganization", "CloudTrailSource" });

        var allows = statements.Where(static s => (string?)s["Effect"] == "Allow").ToList();
        Assert.Equal(2, allows.Count);
        var config = Assert.Single(allows, static a => (string?)a["Principal"]?["Service"] == "config.amazonaws.com");
        Assert.Equal("OrganizationId", (string?)config["Condition"]?["StringEquals"]?["aws:SourceOrgID"]?["Ref"]);
        // EventBridge publishes for the hub's own rule only, which also carries the members' forwarded calls.
        var events = Assert.Single(allows, static a => (string?)a["Principal"]?["Service"] == "events.amazonaws.com");
        Assert.Null(events["Condition"]?["StringEquals"]?["aws:SourceOrgID"]);
        Assert.Single(statements, s => (string?)s["Effect"] == "Deny");
    }

    [Theory]
    [InlineData(CloudFormationTemplate.RelativePath)]
    [InlineData(CloudFormationTemplate.MemberRelativePath)]
    public void ConfigRecorderRole_CannotPublish_SoConfigUsesItsServicePrincipal(string path)
    {
        var role = CloudFormationTemplate.Load(path).Properties("ConfigRecorderRole");
        var actions = role["Policies"]!.AsArray()
            .SelectMany(p => CloudFormationTemplate.Statements(p?["PolicyDocument"]))
            .SelectMany(s => CloudFormationTemplate.Strings(s["Action"]));

        Assert.DoesNotContain(actions, a => a.StartsWith("sns:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Config/aws-docs/security-group-created.json", true)]
    [InlineData("Config/oversized/fetched-from-s3.json", true)]
    [InlineData("Config/oversized/delivery-failed-security-group.json", true)]
    [InlineData("Config/aws-docs/snapshot-delivery-completed.json", true)]
    [InlineData("Config/aws-docs/oversized-instance-change.json", false)]
    [InlineData("Config/aws-docs/compliance-change.json", false)]
    [InlineData("Config/aws-docs/rules-evaluation-started.json", false)]
    [InlineData("Config/aws-docs/history-delivery-completed.json", false)]
    [InlineData("Config/aws-docs/snapshot-delivery-started.json", false)]
    public void SubscriptionFilter_PassesSecurityGroupMessagesAndTheSnapshotHeartbeatOnly(string testData, bool delivered)
    {
        var message = JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", testData)));

        Assert.Equal(delivered, FilterMatches(Filter(NoConditions), message));
    }

    [Fact]
    public void SubscriptionFilter_PassesTheSamples()
    {
        foreach (var sample in Directory.GetFiles(RepositoryRoot.File("samples"), "*.json").Where(static f => !f.EndsWith("settings.json", StringComparison.Ordinal) && !f.EndsWith("serve-unsigned.json", StringComparison.Ordinal)))
        {
            foreach (var published in PublishedMessages(JsonNode.Parse(File.ReadAllText(sample))!))
            {
                // A CloudTrail sample reaches the endpoint when the stack enables that source (EnableCloudTrailSource).
                var cloudTrail = (string?)published["source"] == "aws.ec2";
                Assert.True(FilterMatches(Filter(cloudTrail ? new HashSet<string> { "CloudTrailSource" } : NoConditions), published), $"{sample} would be filtered out.");
            }
        }
    }

    /// <summary>
    /// What Config published, which is what a body-scoped filter sees: a bare Config message as it is, the Message of
    /// an SNS envelope (the walkthrough's <c>sns-*.json</c>), or the Message of each envelope in a DLQ file.
    /// </summary>
    private static IEnumerable<JsonNode> PublishedMessages(JsonNode sample)
    {
        if (sample["Messages"] is JsonArray entries)
        {
            foreach (var entry in entries)
            {
                foreach (var published in PublishedMessages(JsonNode.Parse((string)entry!["Body"]!)!))
                {
                    yield return published;
                }
            }
        }
        else if ((string?)sample["Type"] == "Notification")
        {
            yield return JsonNode.Parse((string)sample["Message"]!)!;
        }
        else
        {
            yield return sample;
        }
    }

    [Fact]
    public void SubscriptionFilter_PassesCloudTrailCallsOnlyWhenThatSourceIsEnabled()
    {
        var call = JsonNode.Parse("""{"source":"aws.ec2","detail-type":"AWS API Call via CloudTrail","detail":{"eventName":"AuthorizeSecurityGroupIngress"}}""");

        Assert.False(FilterMatches(Filter(NoConditions), call));
        Assert.True(FilterMatches(Filter(new HashSet<string> { "CloudTrailSource" }), call));
        Assert.Equal("MessageBody", (string?)hub.Properties("FunctionSubscription")["FilterPolicyScope"]);
    }

    [Fact]
    public void SubscriptionFilter_PassesEveryCloudTrailEventOfTheCorpus_WhenThatSourceIsEnabled()
    {
        var calls = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "CloudTrail", "security-group-call"), "*.json")
            .Concat(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "CloudTrail", "call-failed"), "*.json"))
            .Where(static f => !f.EndsWith(".expected.json", StringComparison.Ordinal))
            .ToList();

        Assert.NotEmpty(calls);
        Assert.All(calls, file => Assert.True(
            FilterMatches(Filter(new HashSet<string> { "CloudTrailSource" }), JsonNode.Parse(File.ReadAllText(file))),
            $"{file} would be filtered out."));
    }

    [Fact]
    public void Topic_LogsEveryHttpsDeliveryStatus()
    {
        var logging = Assert.Single(hub.Properties("ConfigTopic")["DeliveryStatusLogging"]!.AsArray());
        Assert.Equal("http/s", (string?)logging?["Protocol"]);
        Assert.Equal("100", logging?["SuccessFeedbackSampleRate"]?.ToString());
        Assert.Equal("DeliveryStatusLoggingRole", (string?)logging?["SuccessFeedbackRoleArn"]?["Fn::GetAtt"]?[0]);
        Assert.Equal("DeliveryStatusLoggingRole", (string?)logging?["FailureFeedbackRoleArn"]?["Fn::GetAtt"]?[0]);

        var role = hub.Properties("DeliveryStatusLoggingRole");
        Assert.Equal("sns.amazonaws.com", (string?)CloudFormationTemplate.Statements(role["AssumeRolePolicyDocument"]).Single()["Principal"]?["Service"]);

        Assert.Equal("sns/${AWS::Region}/${AWS::AccountId}/${TopicName}", (string?)hub.Properties("DeliverySuccessLogGroup")["LogGroupName"]?["Fn::Sub"]);
        Assert.Equal("sns/${AWS::Region}/${AWS::AccountId}/${TopicName}/Failure", (string?)hub.Properties("DeliveryFailureLogGroup")["LogGroupName"]?["Fn::Sub"]);
        var filters = hub.ResourcesOfType("AWS::Logs::MetricFilter").Select(static f => f.Value["Properties"]!).ToList();
        Assert.Equal(["DeliveryFailureLogGroup", "DeliverySuccessLogGroup"], filters.Select(static f => (string?)f["LogGroupName"]?["Ref"]).Order(StringComparer.Ordinal));
        Assert.All(filters, f => Assert.Contains("$.delivery.statusCode >= 400", (string?)f["FilterPattern"], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("AWS/SQS", "ApproximateNumberOfMessagesVisible")]
    [InlineData("AWS/SNS", "NumberOfNotificationsRedrivenToDlq")]
    [InlineData("AWS/SNS", "NumberOfNotificationsFailedToRedriveToDlq")]
    [InlineData("AWS/SNS", "NumberOfNotificationsFailed")]
    [InlineData("SgNotifier", "FunctionAnswered4xx")]
    [InlineData("AWS/Events", "FailedInvocations")]
    public void Alarm_FiresOnTheFirstOccurrenceAndPublishesToTheAlarmTopic(string metricNamespace, string metric)
    {
        var alarm = Assert.Single(
            hub.ResourcesOfType("AWS::CloudWatch::Alarm").Select(static a => a.Value["Properties"]!),
            a => (string?)a["MetricName"] == metric);

        Assert.Equal(metricNamespace, (string?)alarm["Namespace"]);
        Assert.Equal(0L, (long?)alarm["Threshold"]);
        Assert.Equal("GreaterThanThreshold", (string?)alarm["ComparisonOperator"]);
        Assert.Equal("notBreaching", (string?)alarm["TreatMissingData"]);
        Assert.Contains(alarm["AlarmActions"]!.AsArray(), a => (string?)a?["Ref"] == "AlarmTopic");
        if (metricNamespace == "AWS/SQS")
        {
            Assert.Equal("DeadLetterQueue", (string?)alarm["Dimensions"]?[0]?["Value"]?["Fn::GetAtt"]?[0]);
        }
    }

    [Theory]
    [InlineData(CloudFormationTemplate.RelativePath)]
    [InlineData(CloudFormationTemplate.MemberRelativePath)]
    public void DeliveryChannel_SendsTheDailySnapshotHeartbeat(string path)
    {
        var (_, channel) = CloudFormationTemplate.Load(path).SingleResourceOfType("AWS::Config::DeliveryChannel");

        Assert.Equal("TwentyFour_Hours", (string?)channel["Properties"]?["ConfigSnapshotDeliveryProperties"]?["DeliveryFrequency"]);
    }

    [Fact]
    public void OidcProvider_IsTheEntraTenantsIssuerForTheAudience()
    {
        var provider = hub.Properties("EntraOidcProvider");

        Assert.Equal("https://sts.windows.net/${EntraTenantId}/", (string?)provider["Url"]?["Fn::Sub"]);
        Assert.Equal("WebIdentityAudience", (string?)provider["ClientIdList"]?[0]?["Ref"]);
        Assert.Equal("CreateWebIdentity", (string?)hub.Resource("EntraOidcProvider")["Condition"]);
    }

    [Fact]
    public void HubRole_TrustsOnlyTheManagedIdentityForTheAudience()
    {
        var document = (string?)hub.Properties("HubRole")["AssumeRolePolicyDocument"]?["Fn::Sub"];
        Assert.NotNull(document);
        var substituted = SubstitutionVariable().Replace(document, m => m.Groups["name"].Value switch
        {
            "EntraTenantId" => TenantId,
            "WebIdentityAudience" => Audience,
            "ManagedIdentityPrincipalId" => PrincipalId,
            "EntraOidcProvider" => $"arn:aws:iam::111122223333:oidc-provider/sts.windows.net/{TenantId}/",
            var other => throw new Xunit.Sdk.XunitException($"The trust policy substitutes an unexpected ${{{other}}}."),
        });

        var statement = Assert.Single(CloudFormationTemplate.Statements(JsonNode.Parse(substituted)));
        Assert.Equal("Allow", (string?)statement["Effect"]);
        Assert.Equal("sts:AssumeRoleWithWebIdentity", (string?)statement["Action"]);
        Assert.Equal($"arn:aws:iam::111122223333:oidc-provider/sts.windows.net/{TenantId}/", (string?)statement["Principal"]?["Federated"]);
        var condition = Assert.Single(statement["Condition"]!.AsObject());
        Assert.Equal("StringEquals", condition.Key);
        Assert.Equal(2, condition.Value!.AsObject().Count);
        Assert.Equal(Audience, (string?)condition.Value[$"sts.windows.net/{TenantId}/:aud"]);
        Assert.Equal(PrincipalId, (string?)condition.Value[$"sts.windows.net/{TenantId}/:sub"]);
    }

    [Fact]
    public void HubRole_MayOnlyAssumeTheReaderRoles()
    {
        var statement = Assert.Single(hub.Properties("HubRole")["Policies"]!.AsArray().SelectMany(p => CloudFormationTemplate.Statements(p?["PolicyDocument"])));

        Assert.Equal(["sts:AssumeRole"], CloudFormationTemplate.Strings(statement["Action"]));
        Assert.Equal("arn:${AWS::Partition}:iam::*:role/${ReaderRoleName}", (string?)statement["Resource"]?["Fn::Sub"]);
    }

    [Fact]
    public void ReaderRole_HasExactlyTheFourReadActions()
    {
        var statements = member.Properties("ReaderRole")["Policies"]!.AsArray()
            .SelectMany(p => CloudFormationTemplate.Statements(p?["PolicyDocument"]))
            .ToList();

        Assert.All(statements, s => Assert.Equal("Allow", (string?)s["Effect"]));
        Assert.Equal(
            ["cloudtrail:LookupEvents", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups", "s3:GetObject"],
            statements.SelectMany(s => CloudFormationTemplate.Strings(s["Action"])).Order(StringComparer.Ordinal));
        var s3 = statements.Single(s => CloudFormationTemplate.Strings(s["Action"]).Contains("s3:GetObject"));
        Assert.Equal("arn:${AWS::Partition}:s3:::${ConfigBucketName}/*AWSLogs/${AWS::AccountId}/Config/*", (string?)s3["Resource"]?["Fn::Sub"]);
    }

    [Fact]
    public void ReaderRole_TrustsOnlyTheHubRoleWithTheExternalId()
    {
        var role = member.Properties("ReaderRole");
        var statement = Assert.Single(CloudFormationTemplate.Statements(role["AssumeRolePolicyDocument"]));

        Assert.Equal("Allow", (string?)statement["Effect"]);
        Assert.Equal("sts:AssumeRole", (string?)statement["Action"]);
        Assert.Equal("arn:${AWS::Partition}:iam::${HubAccountId}:role/${HubRoleName}", (string?)statement["Principal"]?["AWS"]?["Fn::Sub"]);
        Assert.Equal("ReaderExternalId", (string?)statement["Condition"]?["StringEquals"]?["sts:ExternalId"]?["Ref"]);
        var externalId = member.Parameters["ReaderExternalId"]!;
        Assert.True((bool?)externalId["NoEcho"]);
        Assert.Null(externalId["Default"]);
        Assert.True((long?)externalId["MinLength"] >= 16);
        Assert.Equal("ReaderRoleName", (string?)role["RoleName"]?["Ref"]);
    }

    [Fact]
    public void ReaderRole_IsCreatedInOneRegionOnly()
    {
        // IAM is global: a StackSet that created the named role in every region would collide.
        Assert.Equal("CreateReaderRole", (string?)member.Resource("ReaderRole")["Condition"]);
        var test = member.Conditions["CreateReaderRole"]?["Fn::Equals"]?.AsArray();
        Assert.Equal("AWS::Region", (string?)test?[0]?["Ref"]);
        Assert.Equal("ReaderRoleRegion", (string?)test?[1]?["Ref"]);
    }

    [Fact]
    public void MemberRecorder_RecordsSecurityGroupsAndDeliversToTheHubTopicOfItsRegion()
    {
        var recorder = member.Properties("ConfigRecorder");
        var channel = member.Properties("ConfigDeliveryChannel");

        Assert.Equal(["AWS::EC2::SecurityGroup"], CloudFormationTemplate.Strings(recorder["RecordingGroup"]?["ResourceTypes"]));
        Assert.Equal("CONTINUOUS", (string?)recorder["RecordingMode"]?["RecordingFrequency"]);
        Assert.Equal("arn:${AWS::Partition}:sns:${AWS::Region}:${HubAccountId}:${TopicName}", (string?)channel["SnsTopicARN"]?["Fn::Sub"]);
        Assert.Equal("ConfigBucketName", (string?)channel["S3BucketName"]?["Ref"]);
        Assert.Equal(hub.Parameters["TopicName"]?["Default"]?.ToString(), member.Parameters["TopicName"]?["Default"]?.ToString());
        Assert.Equal(hub.Parameters["ReaderRoleName"]?["Default"]?.ToString(), member.Parameters["ReaderRoleName"]?["Default"]?.ToString());
        Assert.Equal(hub.Parameters["HubRoleName"]?["Default"]?.ToString(), member.Parameters["HubRoleName"]?["Default"]?.ToString());
    }

    [Fact]
    public void OrganisationBucket_LetsEachReaderRoleReadItsOwnAccountOnly()
    {
        var statements = CloudFormationTemplate.Statements(
            CloudFormationTemplate.Resolve(hub.Properties("ConfigBucketPolicy")["PolicyDocument"], new HashSet<string> { "HasOrganization" }));
        var read = Assert.Single(statements, s => (string?)s["Sid"] == "MemberReaderRolesReadTheirOwnAccount");

        Assert.Equal(["s3:GetObject"], CloudFormationTemplate.Strings(read["Action"]));
        Assert.Equal("${ConfigBucket.Arn}/AWSLogs/${!aws:PrincipalAccount}/Config/*", (string?)read["Resource"]?["Fn::Sub"]);
        Assert.Equal("OrganizationId", (string?)read["Condition"]?["StringEquals"]?["aws:PrincipalOrgID"]?["Ref"]);
        Assert.Equal("arn:${AWS::Partition}:iam::*:role/${ReaderRoleName}", (string?)read["Condition"]?["ArnLike"]?["aws:PrincipalArn"]?["Fn::Sub"]);

        var single = CloudFormationTemplate.Statements(CloudFormationTemplate.Resolve(hub.Properties("ConfigBucketPolicy")["PolicyDocument"], NoConditions));
        Assert.DoesNotContain(single, s => (string?)s["Sid"] == "MemberReaderRolesReadTheirOwnAccount");
    }

    [Fact]
    public void MemberTemplate_ReferencesOnlyDeclaredNamesAndGrantsNoWildcardAction()
    {
        var declared = member.Parameters.Select(static p => p.Key)
            .Concat(member.Resources.Select(static r => r.Key))
            .Concat(CloudFormationTemplate.PseudoParameters)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var node in CloudFormationTemplate.Descendants(member.Root).OfType<JsonObject>())
        {
            if (node["Ref"] is JsonValue reference)
            {
                Assert.Contains(reference.ToString(), declared);
            }

            if (node["Fn::Sub"] is JsonValue sub)
            {
                Assert.All(CloudFormationTemplate.SubstitutionNames(sub.ToString()), name => Assert.Contains(name.Split('.')[0], declared));
            }

            if ((string?)node["Effect"] == "Allow")
            {
                Assert.All(CloudFormationTemplate.Strings(node["Action"]), a => Assert.DoesNotContain("*", a, StringComparison.Ordinal));
            }

            if (node["Condition"] is JsonValue condition)
            {
                Assert.True(member.Conditions.ContainsKey(condition.ToString()), $"Condition {condition} is not declared.");
            }
        }
    }

    private IReadOnlyList<JsonObject> TopicPolicy(IReadOnlySet<string> conditions) =>
        CloudFormationTemplate.Statements(CloudFormationTemplate.Resolve(hub.Properties("ConfigTopicPolicy")["PolicyDocument"], conditions));

    private JsonNode Filter(IReadOnlySet<string> conditions) =>
        CloudFormationTemplate.Resolve(hub.Properties("FunctionSubscription")["FilterPolicy"], conditions)
            ?? throw new Xunit.Sdk.XunitException("The subscription has no filter policy.");

    /// <summary>
    /// SNS payload-based filtering for the operators the template uses: <c>$or</c> of alternatives, nested objects, and
    /// lists of exact string values; every key of a policy must match (https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html).
    /// </summary>
    private static bool FilterMatches(JsonNode policy, JsonNode? message) =>
        policy.AsObject().All(entry => entry.Key == "$or"
            ? entry.Value!.AsArray().Any(alternative => FilterMatches(alternative!, message))
            : entry.Value switch
            {
                JsonArray values => message?[entry.Key] is JsonValue field
                    && field.TryGetValue<string>(out var text)
                    && values.Any(v => (string?)v == text),
                JsonObject nested => message?[entry.Key] is JsonObject inner && FilterMatches(nested, inner),
                _ => throw new Xunit.Sdk.XunitException($"Unsupported filter operator at {entry.Key}."),
            });

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z0-9]+)\}")]
    private static partial Regex SubstitutionVariable();
}
