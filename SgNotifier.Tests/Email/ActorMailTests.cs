using AngleSharp.Html.Parser;
using SgNotifier.Core.Email;

namespace SgNotifier.Tests.Email;

public sealed class ActorMailTests
{
    private static readonly EmailRenderer Renderer = new(EmailRendererSettings.Default);

    [Fact]
    public void FoundActor_LinksTheEventInTheCloudTrailConsole()
    {
        var document = new HtmlParser().ParseDocument(Renderer.Render(TestDecisions.All["actor-found"]).Html);

        var heading = document.QuerySelectorAll("h2").Select(static h => h.TextContent).ToList();
        Assert.True(heading.IndexOf("Changed by") < heading.IndexOf("Security group"), "the Changed by block comes before the group");
        Assert.Contains(document.QuerySelectorAll("a"), static a =>
            a.GetAttribute("href") == "https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events/6f2a5c1e-8b3d-4c7a-9e1f-2a3b4c5d6e7f" &&
            a.TextContent == "6f2a5c1e-8b3d-4c7a-9e1f-2a3b4c5d6e7f");
        Assert.Contains("jane.doe@example.com (SSO PowerUserAccess)", document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void HostileActor_ArrivesAsTextWithNoLink()
    {
        var mail = Renderer.Render(TestDecisions.All["actor-hostile"]);
        var document = new HtmlParser().ParseDocument(mail.Html);

        Assert.Empty(document.QuerySelectorAll("script"));
        Assert.DoesNotContain(document.QuerySelectorAll("a"), static a => a.TextContent.Contains("x", StringComparison.Ordinal) && a.GetAttribute("href")!.Contains("javascript", StringComparison.Ordinal));
        Assert.Contains("<script>alert(1)</script> (role", document.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(mail.Text.Split('\n'), static line => line.StartsWith("Injected-Header", StringComparison.Ordinal));
        Assert.DoesNotContain('\n', mail.Subject);
    }

    [Fact]
    public void TwoActors_NoActorInTheSubject()
    {
        var mail = Renderer.Render(TestDecisions.All["actors-two"]);

        Assert.DoesNotContain(" by ", mail.Subject, StringComparison.Ordinal);
        Assert.Contains("sam.lee@example.com (role ops-admin) via cloudformation.amazonaws.com", mail.Text, StringComparison.Ordinal);
        Assert.Contains("Client:   CloudFormation (CLI/SDK)", mail.Text, StringComparison.Ordinal);
    }
}
