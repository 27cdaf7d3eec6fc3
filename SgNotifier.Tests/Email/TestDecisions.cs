using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Ledger;
using SgNotifier.Core.Routing;

namespace SgNotifier.Tests.Email;

/// <summary>Hand-built decisions to notify, one per kind of change a mail must explain.</summary>
internal static class TestDecisions
{
    public const string Script = "<script>alert(1)</script>";
    public const string Attribute = "\" onmouseover=\"x";
    public const string RtlOverride = "invoice\u202Egpj.exe";
    public const string Emoji = "web 🔥 tier";

    private static readonly SecurityGroupIdentity Web = new(
        "sg-0abc1234def567890", "web", "123456789012", "us-east-1", "vpc-0a1b2c3d4e5f67890",
        "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc1234def567890");

    private static readonly DateTimeOffset Captured = new(2026, 11, 26, 16, 45, 0, 123, TimeSpan.Zero);

    public static IReadOnlyDictionary<string, ChangeDecision> All { get; } = new Dictionary<string, ChangeDecision>
    {
        ["risky-rdp-added"] = RiskyRdpAdded(),
        ["rules-removed"] = RulesRemoved(),
        ["description-changed"] = DescriptionChanged(),
        ["tag-hijack"] = TagHijack(),
        ["hostile-strings"] = HostileStrings(),
        ["deleted"] = Deleted(),
        ["no-identity"] = NoIdentity(),
        ["notifications-off"] = NotificationsOff(),
        ["actor-found"] = RiskyRdpAdded().WithActors(new ChangeActors(ActorStatus.Found, [SsoActor()], "named by CloudTrail")),
        ["actors-two"] = TagHijack().WithActors(new ChangeActors(ActorStatus.Found, [SsoActor(), SsoActor() with
            {
                Display = "sam.lee@example.com (role ops-admin) via cloudformation.amazonaws.com", Type = "AssumedRole",
                SessionName = "sam.lee@example.com", InvokedBy = "cloudformation.amazonaws.com", SourceIp = "cloudformation.amazonaws.com",
                UserAgent = "cloudformation.amazonaws.com", Console = false, Mfa = null, EventName = "CreateTags",
                EventId = "0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f",
            }], "named by CloudTrail")),
        ["actor-unavailable"] = RiskyRdpAdded().WithActors(new ChangeActors(ActorStatus.Unavailable, [],
                "access denied: could not assume arn:aws:iam::123456789012:role/SgNotifierReader in account 123456789012: AccessDenied (HTTP 403, AmazonSecurityTokenServiceException)")),
        ["actor-hostile"] = RiskyRdpAdded().WithActors(new ChangeActors(ActorStatus.Found,
            [
                SsoActor() with
                {
                    Display = Script + " (role " + Attribute + ")", SessionName = Script, SourceIp = "<b>203.0.113.7</b>",
                    UserAgent = "aws-cli/2 " + RtlOverride, SourceIdentity = "line one\r\nInjected-Header: yes",
                    EventId = "\"><a href=\"javascript:alert(1)\">x</a>",
                },
            ], "named by CloudTrail")),
        ["cloudtrail-modify-before-unknown"] = CloudTrailModify(),
        ["config-partly-covered"] = RiskyRdpAdded() with
        {
            Coverage = new CoverageNote(1, 1, [new AtomReport(ChangeSource.CloudTrail, Captured.AddMinutes(-4), ["6f2a5c1e-8b3d-4c7a-9e1f-2a3b4c5d6e7f"])]),
        },
    };

    public static ChangeActor SsoActor() => new(
        "jane.doe@example.com (SSO PowerUserAccess)", "AssumedRole",
        "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUserAccess_0f1e2d3c4b5a6978/jane.doe@example.com",
        "123456789012", "jane.doe@example.com", null, null, "203.0.113.7",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        Console: true, Mfa: true, "AuthorizeSecurityGroupIngress", new DateTimeOffset(2026, 11, 26, 16, 44, 31, TimeSpan.Zero),
        "6f2a5c1e-8b3d-4c7a-9e1f-2a3b4c5d6e7f", "us-east-1");

    public static ChangeDecision RiskyRdpAdded() => Notify(
        Web,
        added: [Rule(RuleDirection.Ingress, "tcp", 3389, 3389, "0.0.0.0/0", "temp admin access", risky: true, isPublic: true),
                Rule(RuleDirection.Ingress, "tcp", 443, 443, "10.0.0.0/8", "internal https")],
        events: ["6f2a5c1e-8b3d-4c7a-9e1f-2a3b4c5d6e7f"]);

    public static ChangeDecision RulesRemoved() => Notify(
        Web,
        removed: [Rule(RuleDirection.Ingress, "tcp", 22, 22, "203.0.113.0/24", "office ssh"),
                  Rule(RuleDirection.Egress, "all", null, null, "0.0.0.0/0", null, isPublic: true),
                  Rule(RuleDirection.Ingress, "icmp", 8, -1, "::/0", "ping", isPublic: true)],
        events: ["11111111-2222-4333-8444-555555555555", "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee"]);

    public static ChangeDecision DescriptionChanged()
    {
        var before = Rule(RuleDirection.Ingress, "tcp", 5432, 5432, "sg-0fedcba9876543210", "app servers");
        var after = before with { Rule = before.Rule with { Description = "app and batch servers" } };
        return Notify(Web, changed: [new ChangedRule(before, after)]);
    }

    public static ChangeDecision TagHijack() => Notify(
        Web,
        tags: [new TagChange("OwnerDL", "web-team@example.com", "attacker@example.net"),
               new TagChange("NotifyOnChange", "true", null),
               new TagChange("CostCenter", "1234", "5678")],
        routedBy: "tag OwnerDL before the change (web-team@example.com); the tag was re-pointed in this change");

    /// <summary>Issue 13: a lookalike "Yes" switches the group off; a zero-width space hides in a new owner tag key.</summary>
    public static ChangeDecision NotificationsOff() => Notify(
        Web,
        tags: [new TagChange("NotifyOnChange", "Yes", "Y\u0435s"),
               new TagChange("Owner\u200BDL", null, "helper@example.com"),
               new TagChange("Note", "plain\u00A0space", "zero\u200Bwidth")],
        routedBy: "NotifyOnChange=yes on the group (previous tags only); recipients from OwnerDL (previous tags only)") with
    {
        TurnedOff = new NotificationsTurnedOff("NotifyOnChange no longer says yes or true"),
    };

    public static ChangeDecision HostileStrings()
    {
        var group = Web with { Name = Script + " " + Emoji, VpcId = Attribute };
        return Notify(
            group,
            added: [Rule(RuleDirection.Ingress, "udp", 1000, 2000, "198.51.100.7/32", "line one\r\nInjected-Header: yes"),
                    Rule(RuleDirection.Ingress, "tcp", 80, 80, "0.0.0.0/0", Attribute + " " + RtlOverride, isPublic: true)],
            tags: [new TagChange("Owner" + Script, null, "<img src=x onerror=alert(1)>"),
                   new TagChange("Link", null, "javascript:alert(1)")],
            routedBy: "tag OwnerDL = " + Script,
            events: [Script]);
    }

    public static ChangeDecision Deleted() => Notify(
        Web, changeType: "DELETE",
        removed: [Rule(RuleDirection.Ingress, "tcp", 443, 443, "0.0.0.0/0", "https", isPublic: true)],
        events: ["99999999-8888-4777-8666-555555555555"]);

    /// <summary>An oversized change that could not be read: only the summary's identity is known.</summary>
    public static ChangeDecision NoIdentity() => new(
        DecisionOutcome.Notify, DecisionReasons.OversizedUninspected,
        "The change was too large for SNS and its S3 copy could not be read, so the rules were not compared.",
        new SecurityGroupChange(
            new SecurityGroupIdentity("sg-0123456789abcdef0", null, "123456789012", "eu-west-1", null, null),
            ChangeKind.Updated,
            RuleChanges.Unknown,
            TagState.Unknown,
            ChangeActors.Off,
            [new SourceEvent(ChangeSource.Config, "1700000000000", "OversizedConfigurationItemChangeNotification", Captured)],
            new ChangeKey("123456789012", "eu-west-1", "sg-0123456789abcdef0", "1700000000000"),
            "fetching oversized items from S3 and looking groups up in EC2 are both disabled"),
        ["secops@example.com"], [], "Notify:FallbackRecipients (no owner could be determined)")
    {
        MessageType = "OversizedConfigurationItemChangeNotification",
    };

    /// <summary>Issue 17: a CloudTrail ModifySecurityGroupRules on a group SgNotifier had not seen: the previous value is unknown.</summary>
    public static ChangeDecision CloudTrailModify()
    {
        var after = Rule(RuleDirection.Ingress, "tcp", 22, 22, "0.0.0.0/0", "ssh for the vendor", risky: true, isPublic: true);
        var decision = Notify(Web, changed: [new ChangedRule(null, after, "sgr-0a1b2c3d4e5f60718")], source: ChangeSource.CloudTrail, eventName: "ModifySecurityGroupRules");
        var unknown = decision with
        {
            Change = decision.Change! with
            {
                Rules = RuleChanges.None with { Completeness = RuleCompleteness.BeforeUnknown, UnknownRuleIds = ["sgr-0ffffeeeeddddcccc"] },
                Note = "SgNotifier had not seen this group before this call, so the previous value of rule sgr-0a1b2c3d4e5f60718 is unknown.",
            },
        };
        return unknown.WithActors(new ChangeActors(ActorStatus.Found, [SsoActor() with { EventName = "ModifySecurityGroupRules" }], "from the CloudTrail event itself"));
    }

    public static AssessedRule Rule(
        RuleDirection direction, string protocol, int? from, int? to, string peer, string? description,
        bool risky = false, bool isPublic = false) =>
        new(new SecurityGroupRule(direction, protocol, from, to, peer, description), risky, isPublic);

    private static ChangeDecision Notify(
        SecurityGroupIdentity group,
        IReadOnlyList<AssessedRule>? added = null,
        IReadOnlyList<AssessedRule>? removed = null,
        IReadOnlyList<ChangedRule>? changed = null,
        IReadOnlyList<TagChange>? tags = null,
        string? routedBy = null,
        IReadOnlyList<string>? events = null,
        string changeType = "UPDATE",
        ChangeSource source = ChangeSource.Config,
        string eventName = "ConfigurationItemChangeNotification")
    {
        var first = source == ChangeSource.CloudTrail
            ? new SourceEvent(source, "6f2a5c1e-8b3d-4c7a-9e1f-2a3b4c5d6e7f", eventName, Captured)
            : new SourceEvent(source, "1764175500123", eventName, Captured);
        var change = new SecurityGroupChange(
            group,
            changeType switch { "DELETE" => ChangeKind.Deleted, "CREATE" => ChangeKind.Created, _ => ChangeKind.Updated },
            RuleChanges.None,
            TagState.Unknown,
            ChangeActors.Off,
            [first, .. (events ?? []).Select(static id => new SourceEvent(ChangeSource.CloudTrail, id, null, null))],
            new ChangeKey(group.AccountId, group.Region, group.Id, first.Id, source));
        return new ChangeDecision(DecisionOutcome.Notify, "notify", "A routed security group changed.", change, ["web-team@example.com"], [],
            routedBy ?? "tag OwnerDL = web-team@example.com (NotifyOnChange = true)")
        {
            MessageType = eventName,
            Added = added ?? [],
            Removed = removed ?? [],
            Changed = changed ?? [],
            TagChanges = tags ?? [],
            HandledAt = Captured.AddSeconds(40),
            Source = source,
        };
    }
}
