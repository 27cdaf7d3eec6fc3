using System.Text.Json.Nodes;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.Config;
using SgNotifier.Tests.Email;

namespace SgNotifier.Tests.Config;

public sealed class ConfigChangeActorMatcherTests
{
    private static readonly DateTimeOffset Time = new(2026, 11, 26, 16, 44, 0, TimeSpan.Zero);

    /// <summary>The RDP rule of <see cref="TestDecisions.RiskyRdpAdded"/>, on its group sg-0abc1234def567890.</summary>
    private static ChangeDecision RdpAdded() => TestDecisions.RiskyRdpAdded();

    private static CloudTrailLookupEvent Event(string identity, string id, string eventName = "AuthorizeSecurityGroupIngress",
        string cidr = "0.0.0.0/0", int port = 3389, string groupId = "sg-0abc1234def567890", string? errorCode = null, Action<JsonNode>? edit = null)
    {
        var record = JsonNode.Parse(CloudTrailActorResolverTests.Record(identity, id, Time, eventName, errorCode, cidr))!;
        record["requestParameters"]!["groupId"] = groupId;
        record["requestParameters"]!["ipPermissions"]!["items"]![0]!["fromPort"] = port;
        record["requestParameters"]!["ipPermissions"]!["items"]![0]!["toPort"] = port;
        edit?.Invoke(record);
        return new CloudTrailLookupEvent(id, eventName, record.ToJsonString());
    }

    [Fact]
    public void MatchingAuthorize_IsTheActor_OthersAreNot()
    {
        var actors = ConfigChangeActorMatcher.Match(RdpAdded(),
        [
            Event("sso", "a"),
            Event("iam-user", "b", errorCode: "Client.UnauthorizedOperation"),
            Event("root", "c", groupId: "sg-0fffffffffffffff0"),
            Event("assumed-role", "d", cidr: "10.1.0.0/16", port: 22),
            Event("github-actions", "e", eventName: "RevokeSecurityGroupIngress"),
            Event("ec2-instance-role", "f", eventName: "AuthorizeSecurityGroupEgress"),
        ]);

        Assert.Equal(["a"], actors.Select(static a => a.EventId ?? "").ToArray());
    }

    [Fact]
    public void TwoCallsThatMadeTheChange_AreTwoActors()
    {
        var actors = ConfigChangeActorMatcher.Match(RdpAdded(), [Event("sso", "a"), Event("iam-user", "b", cidr: "10.0.0.0/8", port: 443)]);

        Assert.Equal(2, actors.Count);
    }

    [Fact]
    public void ModifyWithoutContent_IsWeak_AndYieldsToAContentMatch()
    {
        var modify = Event("iam-user", "m", eventName: "ModifySecurityGroupRules");

        Assert.Equal(["m"], ConfigChangeActorMatcher.Match(RdpAdded(), [modify]).Select(static a => a.EventId ?? "").ToArray());
        Assert.Equal(["a"], ConfigChangeActorMatcher.Match(RdpAdded(), [modify, Event("sso", "a")]).Select(static a => a.EventId ?? "").ToArray());
    }

    [Fact]
    public void Delete_IsNamedByDeleteSecurityGroupOnly()
    {
        var actors = ConfigChangeActorMatcher.Match(TestDecisions.Deleted(),
            [Event("sso", "a"), Event("root", "d", eventName: "DeleteSecurityGroup", groupId: TestDecisions.Deleted().SecurityGroup!.Id)]);

        Assert.Equal(["d"], actors.Select(static a => a.EventId ?? "").ToArray());
    }

    [Fact]
    public void TagChange_IsNamedByCreateTagsOnTheGroupWithThatKey()
    {
        var hijack = TestDecisions.TagHijack();
        var group = hijack.SecurityGroup!.Id;
        void Tags(JsonNode record, string resource, string key)
        {
            record["requestParameters"] = JsonNode.Parse($$$"""{"resourcesSet":{"items":[{"resourceId":"{{{resource}}}"}]},"tagSet":{"items":[{"key":"{{{key}}}","value":"x"}]}}""");
        }

        var actors = ConfigChangeActorMatcher.Match(hijack with { Added = [], Removed = [], Changed = [] },
        [
            Event("sso", "a", eventName: "CreateTags", edit: r => Tags(r, group, hijack.TagChanges.First(static t => t.After is not null).Key)),
            Event("root", "b", eventName: "CreateTags", edit: r => Tags(r, "i-0123456789abcdef0", "OwnerDL")),
            Event("iam-user", "c", eventName: "CreateTags", edit: r => Tags(r, group, "CostCentre")),
        ]);

        Assert.Equal(["a"], actors.Select(static a => a.EventId ?? "").ToArray());
    }

    [Fact]
    public void UnreadableRecords_AreSkipped()
    {
        var actors = ConfigChangeActorMatcher.Match(RdpAdded(),
            [new CloudTrailLookupEvent("x", "AuthorizeSecurityGroupIngress", "{not json"), new CloudTrailLookupEvent("y", null, null), Event("sso", "a")]);

        Assert.Single(actors);
    }

    [Fact]
    public void UnknownDiff_TakesAnyWriteToTheGroup()
    {
        var oversized = RdpAdded() with { Added = [], CurrentRules = [new AssessedRule(new SecurityGroupRule(RuleDirection.Ingress, "tcp", 22, 22, "0.0.0.0/0", null), true, true)] };

        var actors = ConfigChangeActorMatcher.Match(oversized, [Event("sso", "a", cidr: "10.0.0.0/8", port: 80)]);

        Assert.Single(actors);
    }

    /// <summary>The event with every <c>XLONEX</c> in its record text made an escaped lone surrogate (<c>"\ud800"</c>).</summary>
    private static CloudTrailLookupEvent Lone(CloudTrailLookupEvent e) =>
        e with { CloudTrailEvent = e.CloudTrailEvent!.Replace("XLONEX", "\\ud800", StringComparison.Ordinal) };

    [Fact]
    public void LoneSurrogatesInRequestParameters_NeverThrow_AndTheMatchingCallIsStillTheActor()
    {
        var actors = ConfigChangeActorMatcher.Match(RdpAdded(),
        [
            Lone(Event("sso", "a", edit: static r =>
            {
                r["requestParameters"]!["ipPermissions"]!["items"]![0]!["ipRanges"]!["items"]!.AsArray().Add(new JsonObject { ["cidrIp"] = "XLONEX" });
                r["requestParameters"]!["ipPermissions"]!["items"]![0]!["ipv6Ranges"] = new JsonObject { ["items"] = new JsonArray(new JsonObject { ["cidrIpv6"] = "XLONEX" }) };
                r["userAgent"] = "XLONEX";
                r["requestParameters"]!["XLONEX"] = "x"; // a name that is not valid Unicode, too
            })),
            Lone(Event("iam-user", "b", cidr: "XLONEX")),
            Lone(Event("root", "c", edit: static r => r["requestParameters"]!["ipPermissions"]!["items"]![0]!["ipProtocol"] = "XLONEX")),
        ]);

        var actor = Assert.Single(actors);
        Assert.Equal("a", actor.EventId);
        Assert.Null(actor.UserAgent);
        Assert.Equal("jane.doe@example.com (SSO PowerUserAccess)", actor.Display);
    }

    [Fact]
    public void LoneSurrogateGroupId_IsAnotherGroup()
    {
        Assert.Empty(ConfigChangeActorMatcher.Match(RdpAdded(), [Lone(Event("sso", "a", groupId: "XLONEX"))]));
    }

    [Fact]
    public void LoneSurrogateErrorCode_IsAFailedCall()
    {
        Assert.Empty(ConfigChangeActorMatcher.Match(RdpAdded(), [Lone(Event("sso", "a", errorCode: "XLONEX"))]));
    }

    [Fact]
    public void LoneSurrogateEventName_OrRawLoneSurrogateText_NamesNobody()
    {
        var escaped = Lone(Event("sso", "a", edit: static r => r["eventName"] = "XLONEX"));
        var raw = new CloudTrailLookupEvent("b", "AuthorizeSecurityGroupIngress", "{\"eventName\":\"\ud800\"}");

        Assert.Empty(ConfigChangeActorMatcher.Match(RdpAdded(), [escaped, raw]));
    }
}
