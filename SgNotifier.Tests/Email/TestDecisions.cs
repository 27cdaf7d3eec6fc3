using SgNotifier.Core.Diff;
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
    };

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

    public static ChangeDecision NoIdentity() => new(
        DecisionOutcome.Notify, "oversized-not-inspected",
        "The change was too large for SNS and its S3 copy could not be read, so the rules were not compared.",
        "OversizedConfigurationItemChangeNotification", null, "UPDATE", Captured, [],
        ["secops@example.com"], [], [], [], [], [], "Notify:FallbackRecipients (no owner could be determined)",
        new ChangeKey("123456789012", "eu-west-1", "sg-0123456789abcdef0", "1700000000000"));

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
        string changeType = "UPDATE") =>
        new(DecisionOutcome.Notify, "notify", "A routed security group changed.", "ConfigurationItemChangeNotification",
            group, changeType, Captured, events ?? [], ["web-team@example.com"], [], added ?? [], removed ?? [],
            changed ?? [], tags ?? [], routedBy ?? "tag OwnerDL = web-team@example.com (NotifyOnChange = true)",
            new ChangeKey(group.AccountId, group.Region, group.Id, "1764175500123"));
}
