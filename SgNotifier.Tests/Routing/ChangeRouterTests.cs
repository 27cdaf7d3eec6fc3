using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Tests.Routing;

public class ChangeRouterTests
{
    private static readonly NotifyOptions Options = new();

    [Theory]
    [InlineData("yes", true)]
    [InlineData(" YES ", true)]
    [InlineData("True", true)]
    [InlineData("\ttrue\n", true)]
    [InlineData("No", false)]
    [InlineData("y", false)]
    [InlineData("1", false)]
    [InlineData("", false)]
    [InlineData("yes please", false)]
    public void NotifyOnChange_OptsInOnYesOrTrueOnly(string value, bool optedIn) =>
        Assert.Equal(optedIn, ChangeRouter.IsOptedIn(new Dictionary<string, string> { ["NotifyOnChange"] = value }, Options));

    [Fact]
    public void NotifyOnChangeKey_MatchesIgnoringCase_SoAnyYesOptsIn() =>
        Assert.True(ChangeRouter.IsOptedIn(new Dictionary<string, string> { ["NotifyOnChange"] = "no", ["notifyonchange"] = "yes" }, Options));

    [Fact]
    public void ConfiguredTagKeys_AreUsed()
    {
        var options = new NotifyOptions { NotifyOnChangeTagKey = "Watch", OwnerTagKey = "Owners" };
        var tags = new Dictionary<string, string> { ["Watch"] = "true", ["Owners"] = "a@example.com", ["OwnerDL"] = "b@example.com" };

        Assert.True(ChangeRouter.IsOptedIn(tags, options));
        Assert.Equal(["a@example.com"], ChangeRouter.Owners(tags, options).Addresses);
    }

    [Fact]
    public void GenuineSnsMessage_IsAnIgnoredSecurityGroupChangeWithTheTelnetRule()
    {
        var envelope = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "Sns", "genuine", "notification-config-security-group-sigv1.json")));
        var message = envelope.RootElement.GetProperty("Message").GetString();

        var decision = ConfigRouting.Decide(ConfigMessageParser.Parse(message), Options);

        Assert.Equal(DecisionReasons.NotificationsOff, decision.Reason);
        Assert.Equal(new ChangeKey("481746159046", "us-east-1", "sg-77707e10", "8"), decision.Key);
        Assert.Equal(["236106d5-0547-4097-b008-a8da2df524ab"], decision.RelatedEvents);
        Assert.Equal(new DateTimeOffset(2015, 9, 16, 21, 48, 57, 411, TimeSpan.Zero), decision.CaptureTime);
        Assert.Equal(new SecurityGroupIdentity("sg-77707e10", "Test", "481746159046", "us-east-1", "vpc-4ba1f72e", "arn:aws:ec2:us-east-1:481746159046:security-group/sg-77707e10"), decision.SecurityGroup);
        var added = Assert.Single(decision.Added);
        Assert.Equal((23, 23, "0.0.0.0/0"), (added.Rule.FromPort!.Value, added.Rule.ToPort!.Value, added.Rule.Peer));
        Assert.True(decision.IsRisky);
    }

    [Fact]
    public void FallbackRecipients_AreLowerCasedSortedAndDistinct()
    {
        var options = new NotifyOptions { FallbackRecipients = ["Z@example.com", "a@example.com", "z@EXAMPLE.com"] };
        var message = ConfigMessageParser.Parse(DecisionCorpus.Payload("oversized", "inspection-disabled-notifies-fallback.json"));

        var decision = ConfigRouting.Decide(message, options);

        Assert.Equal(["a@example.com", "z@example.com"], decision.Recipients);
    }
}
