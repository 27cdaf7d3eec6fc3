using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Email;

/// <summary>A decision touching every part of the templates, rendered once at start to prove they work.</summary>
internal static class SampleDecision
{
    public static ChangeDecision Create()
    {
        var rdp = new SecurityGroupRule(RuleDirection.Ingress, "tcp", 3389, 3389, "0.0.0.0/0", "sample");
        var ssh = new SecurityGroupRule(RuleDirection.Ingress, "tcp", 22, 22, "10.0.0.0/8", "sample");
        var time = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var actors = new ChangeActors(ActorStatus.Found,
        [
            new ChangeActor("jane.doe@example.com (SSO PowerUserAccess)", "AssumedRole",
                "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_PowerUserAccess_0123456789abcdef/jane.doe@example.com",
                "123456789012", "jane.doe@example.com", null, null, "203.0.113.7", "aws-cli/2.15.0", Console: false, Mfa: true,
                "AuthorizeSecurityGroupIngress", new DateTimeOffset(2025, 12, 31, 23, 59, 0, TimeSpan.Zero),
                "0a1b2c3d-0000-4000-8000-000000000000", "us-east-1"),
        ], "sample");
        var change = new SecurityGroupChange(
            new SecurityGroupIdentity("sg-0123456789abcdef0", "sample", "123456789012", "us-east-1", "vpc-0123456789abcdef0",
                "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0"),
            ChangeKind.Updated,
            new RuleChanges(
                [new IdentifiedRule(rdp, null)],
                [new IdentifiedRule(ssh, null)],
                [new RuleModification(ssh, ssh with { Description = "new" })],
                RuleCompleteness.Known,
                [],
                ["sgr-0123456789abcdef0"]),
            new TagState(
                new Dictionary<string, string>(StringComparer.Ordinal) { ["OwnerDL"] = "a@example.com" },
                new Dictionary<string, string>(StringComparer.Ordinal) { ["OwnerDL"] = "b@example.com", ["Name"] = "sample" }),
            actors,
            [
                new SourceEvent(ChangeSource.Config, "1", "ConfigurationItemChangeNotification", time),
                new SourceEvent(ChangeSource.CloudTrail, "0a1b2c3d-0000-4000-8000-000000000000", null, null),
            ],
            new ChangeKey("123456789012", "us-east-1", "sg-0123456789abcdef0", "1"),
            "sample note");
        return new ChangeDecision(DecisionOutcome.Notify, "notify", "Sample.", change, ["owner@example.com"], [], "tag OwnerDL")
        {
            MessageType = "ConfigurationItemChangeNotification",
            Added = [new AssessedRule(rdp, Risky: true, Public: true)],
            Removed = [new AssessedRule(ssh, Risky: false, Public: false)],
            Changed =
            [
                new ChangedRule(new AssessedRule(ssh, false, false), new AssessedRule(ssh with { Description = "new" }, false, false)),
                new ChangedRule(null, new AssessedRule(rdp with { Description = "modified" }, true, true), "sgr-0fedcba9876543210"),
            ],
            TagChanges = [new TagChange("Name", null, "sample"), new TagChange("OwnerDL", "a@example.com", "b@example.com")],
            HandledAt = time.AddSeconds(42),
            Coverage = new CoverageNote(1, 2, [new Ledger.AtomReport(ChangeSource.CloudTrail, time.AddMinutes(-3), ["0a1b2c3d-0000-4000-8000-000000000000"])]),
        };
    }
}
