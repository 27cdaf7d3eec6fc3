using AngleSharp.Html.Parser;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Email;
using SgNotifier.Core.Senders;

namespace SgNotifier.Tests.Email;

public sealed class EmailRendererTests
{
    private static readonly EmailRenderer Renderer = new(EmailRendererSettings.Default);

    public static TheoryData<string> Cases() => new(TestDecisions.All.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void RenderedText_MatchesGoldenFile(string name)
    {
        var mail = Renderer.Render(TestDecisions.All[name]);
        GoldenFile.AssertMatches(name + ".expected.txt", "Subject: " + mail.Subject + "\n\n" + mail.Text);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RenderedHtml_MatchesGoldenFile(string name)
    {
        GoldenFile.AssertMatches(name + ".expected.html", Renderer.Render(TestDecisions.All[name]).Html);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RenderedHtml_HasNoScriptNoHandlersAndOnlyHttpsLinks(string name)
    {
        var document = new HtmlParser().ParseDocument(Renderer.Render(TestDecisions.All[name]).Html);

        Assert.Empty(document.QuerySelectorAll("script, iframe, object, embed, img, form"));
        var attributes = document.All.SelectMany(static e => e.Attributes).ToList();
        Assert.DoesNotContain(attributes, static a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(attributes, static a => a.Value.Contains("javascript:", StringComparison.OrdinalIgnoreCase));
        Assert.All(document.QuerySelectorAll("a"), static a => Assert.StartsWith("https://", a.GetAttribute("href"), StringComparison.Ordinal));
    }

    [Fact]
    public void HostileStrings_ArriveAsTextInTheHtml()
    {
        var document = new HtmlParser().ParseDocument(Renderer.Render(TestDecisions.HostileStrings()).Html);
        var text = document.Body!.TextContent;

        Assert.Contains(TestDecisions.Script + " " + TestDecisions.Emoji, text, StringComparison.Ordinal);
        Assert.Contains(TestDecisions.Attribute, text, StringComparison.Ordinal);
        Assert.Contains("<img src=x onerror=alert(1)>", text, StringComparison.Ordinal);
        Assert.Contains("javascript:alert(1)", text, StringComparison.Ordinal);
        Assert.Contains("tag OwnerDL = " + TestDecisions.Script, text, StringComparison.Ordinal);
        // CR and LF become spaces; the bidi override becomes a visible U+FFFD instead of reversing the text.
        Assert.Contains("line one  Injected-Header: yes", text, StringComparison.Ordinal);
        Assert.Contains("invoice\uFFFDgpj.exe", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\u202E", text, StringComparison.Ordinal);
        // An event id that is not an id gets no link.
        Assert.DoesNotContain(document.QuerySelectorAll("a"), static a => a.TextContent.Contains("script", StringComparison.Ordinal));
    }

    [Fact]
    public void HostileStrings_CannotForgeLinesOfTheTextBody()
    {
        var text = Renderer.Render(TestDecisions.HostileStrings()).Text;

        Assert.DoesNotContain(text.Split('\n'), static line => line.StartsWith("Injected-Header", StringComparison.Ordinal));
        Assert.DoesNotContain('\r', text);
        Assert.DoesNotContain("\u202E", text, StringComparison.Ordinal);
        Assert.Contains(TestDecisions.Script, text, StringComparison.Ordinal);
    }

    [Fact]
    public void RiskyRule_IsListedFirstAndHighlighted()
    {
        var decision = TestDecisions.RiskyRdpAdded() with
        {
            Added = [TestDecisions.Rule(Core.Diff.RuleDirection.Ingress, "tcp", 443, 443, "10.0.0.0/8", "first"),
                     TestDecisions.Rule(Core.Diff.RuleDirection.Ingress, "tcp", 3389, 3389, "0.0.0.0/0", "second", risky: true)],
        };
        var document = new HtmlParser().ParseDocument(Renderer.Render(decision).Html);

        var firstRow = document.QuerySelectorAll("tr").First(static r => r.TextContent.Contains("added", StringComparison.Ordinal));
        Assert.Contains("3389", firstRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("RISKY", firstRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("background", firstRow.GetAttribute("style"), StringComparison.Ordinal);
    }

    [Fact]
    public void ChangeThatSilencesTheGroup_NamesWhoDidItWhenCloudTrailKnows()
    {
        var decision = TestDecisions.NotificationsOff()
            .WithActors(new ChangeActors(ActorStatus.Found, [TestDecisions.SsoActor()], "named by CloudTrail"));

        var email = Renderer.Render(decision);

        Assert.Contains("now OFF", email.Subject, StringComparison.Ordinal);
        Assert.Contains("(changed by " + TestDecisions.SsoActor().Display + ")", email.Text, StringComparison.Ordinal);
        Assert.Null(TestDecisions.NotificationsOff().WithActors(ChangeActors.Off).TurnedOff!.Actor);
    }

    [Fact]
    public void RoutingTagChange_WarnsInBothBodies()
    {
        var mail = Renderer.Render(TestDecisions.TagHijack());

        Assert.Contains("WARNING: the routing tags (NotifyOnChange / OwnerDL) changed", mail.Text, StringComparison.Ordinal);
        Assert.Contains("[ROUTING] OwnerDL changed: \"web-team@example.com\" -> \"attacker@example.net\"", mail.Text, StringComparison.Ordinal);
        Assert.Contains("[ROUTING] NotifyOnChange removed", mail.Text, StringComparison.Ordinal);
        Assert.Contains("WARNING:", new HtmlParser().ParseDocument(mail.Html).Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void RoutingTagKeys_AreConfigurable()
    {
        var renderer = new EmailRenderer(EmailRendererSettings.Default with { TagKeys = new RoutingTagKeys("Alerting", "Team") });
        var decision = TestDecisions.TagHijack() with { TagChanges = [new Core.Diff.TagChange("Team", "a", "b")] };

        var mail = renderer.Render(decision);

        Assert.Contains("routing tags (Alerting / Team) changed", mail.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", renderer.Render(TestDecisions.TagHijack() with
        {
            TagChanges = [new Core.Diff.TagChange("OwnerDL", "a", "b")],
        }).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Links_PointAtTheGroupTheTimelineAndTheCloudTrailEvent()
    {
        var mail = Renderer.Render(TestDecisions.RiskyRdpAdded());

        Assert.Contains("https://us-east-1.console.aws.amazon.com/ec2/home?region=us-east-1#SecurityGroup:groupId=sg-0abc1234def567890", mail.Text, StringComparison.Ordinal);
        Assert.Contains("https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/timeline?resourceId=sg-0abc1234def567890&resourceType=AWS::EC2::SecurityGroup", mail.Text, StringComparison.Ordinal);
        Assert.Contains("https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/6f2a5c1e-8b3d-4c7a-9e1f-2a3b4c5d6e7f", mail.Text, StringComparison.Ordinal);
        var hrefs = new HtmlParser().ParseDocument(mail.Html).QuerySelectorAll("a").Select(static a => a.GetAttribute("href")).ToList();
        Assert.Contains("https://us-east-1.console.aws.amazon.com/config/home?region=us-east-1#/resources/timeline?resourceId=sg-0abc1234def567890&resourceType=AWS::EC2::SecurityGroup", hrefs);
    }

    [Fact]
    public void DecisionWithoutIdentity_StillRendersTheResourceAndTheReason()
    {
        var mail = Renderer.Render(TestDecisions.NoIdentity());

        Assert.Contains("sg-0123456789abcdef0", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("too large for SNS", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Notify:FallbackRecipients", mail.Text, StringComparison.Ordinal);
        Assert.Contains("too large for SNS", new HtmlParser().ParseDocument(mail.Html).Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void DeliveryFailureReport_NamesTheProviderCodeAndRecipients()
    {
        var mail = Renderer.RenderDeliveryFailure(
            TestDecisions.RiskyRdpAdded(), SendResult.Permanent("MailFromDomainNotVerifiedException", "sender <not> verified"), "ses");

        Assert.StartsWith("[SG change] could not deliver the mail about sg-0abc1234def567890 (web)", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("MailFromDomainNotVerifiedException", mail.Text, StringComparison.Ordinal);
        Assert.Contains("web-team@example.com", mail.Text, StringComparison.Ordinal);
        var body = new HtmlParser().ParseDocument(mail.Html).Body!.TextContent;
        Assert.Contains("sender <not> verified", body, StringComparison.Ordinal);
        Assert.Contains("ses", body, StringComparison.Ordinal);
        GoldenFile.AssertMatches("delivery-failure.expected.txt", "Subject: " + mail.Subject + "\n\n" + mail.Text);
        GoldenFile.AssertMatches("delivery-failure.expected.html", mail.Html);
    }

    [Fact]
    public void TemplateDirectory_OverridesOnlyTheFilesItHolds()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "notification.txt.liquid"), "Custom: {{ Group.Id }} / {{ Group.Name }}");

        var renderer = new EmailRenderer(EmailRendererSettings.Default with { TemplateDirectory = folder.Path });
        var mail = renderer.Render(TestDecisions.HostileStrings());

        Assert.Equal(["notification.txt.liquid"], renderer.OverriddenTemplates);
        Assert.Equal("Custom: sg-0abc1234def567890 / " + TestDecisions.Script + " " + TestDecisions.Emoji, mail.Text);
        Assert.Equal(Renderer.Render(TestDecisions.HostileStrings()).Html, mail.Html);
    }

    [Fact]
    public void OverrideHtmlTemplate_IsStillHtmlEncoded()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "notification.html.liquid"), "<p title=\"{{ Group.VpcId }}\">{{ Group.Name }}</p>");

        var html = new EmailRenderer(EmailRendererSettings.Default with { TemplateDirectory = folder.Path })
            .Render(TestDecisions.HostileStrings()).Html;
        var paragraph = new HtmlParser().ParseDocument(html).QuerySelector("p")!;

        Assert.Empty(new HtmlParser().ParseDocument(html).QuerySelectorAll("script"));
        Assert.Equal(TestDecisions.Attribute, paragraph.GetAttribute("title"));
        Assert.Single(paragraph.Attributes);
    }

    [Fact]
    public void BrokenOverrideTemplate_FailsAtConstructionNamingTheFile()
    {
        using var folder = new TempFolder();
        File.WriteAllText(Path.Combine(folder.Path, "notification.html.liquid"), "{% if Group %}never closed");

        var error = Assert.Throws<EmailTemplateException>(() =>
            new EmailRenderer(EmailRendererSettings.Default with { TemplateDirectory = folder.Path }));

        Assert.Contains("notification.html.liquid", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not parse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingTemplateDirectory_FailsAtConstruction()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sgnotifier-missing-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<EmailTemplateException>(() =>
            new EmailRenderer(EmailRendererSettings.Default with { TemplateDirectory = missing }));

        Assert.Contains("does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rendering_IsSafeToRunConcurrently()
    {
        var decisions = TestDecisions.All.Values.ToArray();
        var expected = decisions.Select(Renderer.Render).ToArray();

        Parallel.For(0, 200, i => Assert.Equal(expected[i % decisions.Length], Renderer.Render(decisions[i % decisions.Length])));
    }
}
