using SgNotifier.Core.Email;

namespace SgNotifier.Tests.Email;

public sealed class EmailSubjectTests
{
    [Fact]
    public void RiskyRuleAdded_ReadsLikeTheExample()
    {
        Assert.Equal(
            "[SG change] sg-0abc1234def567890 (web) 123456789012/us-east-1: +2 \u22120, RISKY tcp/3389 from 0.0.0.0/0",
            EmailSubject.ForChange(TestDecisions.RiskyRdpAdded(), "[SG change]", RoutingTagKeys.Default));
    }

    [Fact]
    public void Prefix_IsConfigurableAndMayBeEmpty()
    {
        var decision = TestDecisions.RulesRemoved();

        Assert.StartsWith("[prod] sg-0abc", EmailSubject.ForChange(decision, "[prod]", RoutingTagKeys.Default), StringComparison.Ordinal);
        Assert.StartsWith("sg-0abc", EmailSubject.ForChange(decision, "", RoutingTagKeys.Default), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EmailRendererTests.Cases), MemberType = typeof(EmailRendererTests))]
    public void EverySubject_IsOneLineOfAtMost200CharactersWithoutControlCharacters(string name)
    {
        var subject = EmailSubject.ForChange(TestDecisions.All[name], "[SG change]", RoutingTagKeys.Default);

        AssertClean(subject);
    }

    [Fact]
    public void HostileGroupName_IsStrippedOfLineBreaksAndBidiControls()
    {
        var decision = TestDecisions.RiskyRdpAdded() with
        {
            Change = TestDecisions.RiskyRdpAdded().Change! with { Group = TestDecisions.RiskyRdpAdded().SecurityGroup! with { Name = "web\r\nBcc:\tvictim@example.com\u202E\u200B\u0007" } },
        };

        var subject = EmailSubject.ForChange(decision, "[SG change]", RoutingTagKeys.Default);

        AssertClean(subject);
        Assert.Contains("(web Bcc: victim@example.com)", subject, StringComparison.Ordinal);
    }

    [Fact]
    public void LongName_IsCutTo200WithAnEllipsisWithoutSplittingASurrogatePair()
    {
        var decision = TestDecisions.RiskyRdpAdded() with
        {
            Change = TestDecisions.RiskyRdpAdded().Change! with { Group = TestDecisions.RiskyRdpAdded().SecurityGroup! with { Name = new string('x', 150) + string.Concat(Enumerable.Repeat("🔥", 60)) } },
        };

        var subject = EmailSubject.ForChange(decision, "[SG change]", RoutingTagKeys.Default);

        Assert.InRange(subject.Length, 199, 200);
        Assert.EndsWith("…", subject, StringComparison.Ordinal);
        AssertClean(subject);
    }

    [Fact]
    public void RoutingTagChange_IsNamedInTheSubject()
    {
        Assert.EndsWith(": +0 \u22120, routing tags changed",
            EmailSubject.ForChange(TestDecisions.TagHijack(), "[SG change]", RoutingTagKeys.Default), StringComparison.Ordinal);
    }

    [Fact]
    public void Deletion_SaysDeleted()
    {
        Assert.EndsWith("123456789012/us-east-1: deleted",
            EmailSubject.ForChange(TestDecisions.Deleted(), "[SG change]", RoutingTagKeys.Default), StringComparison.Ordinal);
    }

    [Fact]
    public void NoIdentity_UsesTheChangeKeyAndTheDetail()
    {
        Assert.StartsWith("[SG change] sg-0123456789abcdef0 123456789012/eu-west-1: The change was too large",
            EmailSubject.ForChange(TestDecisions.NoIdentity(), "[SG change]", RoutingTagKeys.Default), StringComparison.Ordinal);
    }

    private static void AssertClean(string subject)
    {
        Assert.InRange(subject.Length, 1, EmailSubject.MaxLength);
        Assert.DoesNotContain(subject, static c => char.IsControl(c) || c is '\u202E' or '\u200B' or '\u2028' or '\u2029');
        Assert.False(char.IsHighSurrogate(subject[^1]));
        Assert.Equal(subject.Trim(), subject);
    }
}
