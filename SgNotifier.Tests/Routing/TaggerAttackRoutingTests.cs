using SgNotifier.Core.Email;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.Config;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Routing;

/// <summary>
/// Issue 13, findings 1–3 at the routing and rendering stages: someone who can only tag a group must not be able to
/// silence it without its owners being told, nor send its mail outside the allowed domains.
/// </summary>
public sealed class TaggerAttackRoutingTests
{
    private const string Owner = "dept-a@example.com";

    private static readonly NotifyOptions Options = new() { AllowedRecipientDomains = ["example.com"] };

    private static ChangeDecision Decide(string message, NotifyOptions? options = null) =>
        ConfigRouting.Decide(ConfigMessageParser.Parse(message), options ?? Options);

    [Fact]
    public void CaseVariantOwnerTags_AreCappedTogether_AndThePreviousOwnerIsMailedInAMessageOfTheirOwn()
    {
        var decision = Decide(TaggerAttacks.CaseVariantOwnerFlood(Owner, 1));

        Assert.Equal((DecisionOutcome.Notify, DecisionReasons.Changed), (decision.Outcome, decision.Reason));
        var destinations = decision.MailDestinations();
        Assert.Equal(2, destinations.Count);
        Assert.Equal((string.Empty, MailAudience.PreviousOwners), (destinations[0].Id, destinations[0].Audience));
        Assert.Equal([Owner], destinations[0].Recipients);
        Assert.Equal((MailDestination.NewOwnersId, MailAudience.NewOwners), (destinations[1].Id, destinations[1].Audience));
        Assert.DoesNotContain(Owner, destinations[1].Recipients);

        // ownerdl + OWNERDL + ownerDL + OwnerDL are one tag: at most MaxRecipientsPerTag (10) addresses, not 52.
        Assert.Equal(Options.MaxRecipientsPerTag - 1, destinations[1].Recipients.Count);
        Assert.All(destinations, d => Assert.InRange(d.Recipients.Count, 1, MailLimits.MaxRecipientsPerMessage));
        Assert.Equal(52 - Options.MaxRecipientsPerTag, decision.RejectedRecipients.Count(r => r.Reason == RecipientParser.TooManyRecipients));
        Assert.True(decision.IsRisky);
    }

    [Fact]
    public void LaterChangesOfAFloodedGroup_StillReachTheExactlySpelledOwnerFirst()
    {
        var flooded = TaggerAttacks.OptedIn(Owner);
        flooded["ownerdl"] = TaggerAttacks.Addresses("a", 17);
        flooded["OWNERDL"] = TaggerAttacks.Addresses("b", 17);

        var decision = Decide(TaggerAttacks.TagChange(flooded, flooded, 2, rdpOpened: true));

        var destination = Assert.Single(decision.MailDestinations());
        Assert.Contains(Owner, destination.Recipients);
        Assert.Equal(Options.MaxRecipientsPerTag, destination.Recipients.Count);
        Assert.Equal(DecisionReasons.Changed, decision.Reason);
    }

    [Fact]
    public void ManyNewOwners_AreCutToWhatIsLeftOfTheChangeBudgetAfterThePreviousOwners()
    {
        var options = new NotifyOptions { AllowedRecipientDomains = ["example.com"], MaxRecipientsPerTag = 10, MaxRecipients = 12 };
        var before = TaggerAttacks.OptedIn(TaggerAttacks.Addresses("old", 10));
        var after = TaggerAttacks.OptedIn(TaggerAttacks.Addresses("new", 10));

        var decision = Decide(TaggerAttacks.TagChange(before, after, 3), options);

        var destinations = decision.MailDestinations();
        Assert.Equal(10, destinations[0].Recipients.Count);
        Assert.Equal(2, destinations[1].Recipients.Count);
        Assert.Equal(8, decision.RejectedRecipients.Count(r => r.Reason == RecipientParser.TooManyRecipients));
        Assert.Equal(12, decision.Recipients.Count);
    }

    [Fact]
    public void ReplacedOwner_HearsInAMessageThatDoesNotNameTheNewOwnerInItsToLine_AndIsToldWhoElseWasTold()
    {
        var before = TaggerAttacks.OptedIn(Owner);
        var after = TaggerAttacks.OptedIn("dept-b@example.com");
        var decision = Decide(TaggerAttacks.TagChange(before, after, 4));
        var renderer = new EmailRenderer(EmailRendererSettings.Default);

        var destinations = decision.MailDestinations();
        Assert.Equal([[Owner], ["dept-b@example.com"]], destinations.Select(d => d.Recipients.ToArray()).ToArray());
        var previousMail = renderer.Render(decision, destinations[0]);
        var newMail = renderer.Render(decision, destinations[1]);
        Assert.Contains("were told in a separate message: d***@example.com", previousMail.Text, StringComparison.Ordinal);
        Assert.Contains("You were an owner of this group before", previousMail.Text, StringComparison.Ordinal);
        Assert.Contains("previous owners (OwnerDL before this change) were told in a separate message", newMail.Text, StringComparison.Ordinal);
        Assert.Contains("were told in a separate message", newMail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerTagUnchanged_IsOneMessageWithTheLedgerKeysOfBefore()
    {
        var tags = TaggerAttacks.OptedIn(Owner + " dept-c@example.com");
        var decision = Decide(TaggerAttacks.TagChange(tags, tags, 5, rdpOpened: true));

        var destination = Assert.Single(decision.MailDestinations());
        Assert.Equal(string.Empty, destination.Id);
        Assert.Equal("m-1", destination.LedgerMessageId("m-1"));
        Assert.Equal(decision.Key, destination.LedgerChangeKey(decision.Key));
    }

    [Fact]
    public void SecondMessage_IsClaimedUnderItsOwnKeys()
    {
        var key = new ChangeKey("123456789012", "us-east-1", "sg-1", "7");
        var second = new MailDestination(MailDestination.NewOwnersId, MailAudience.NewOwners, ["b@example.com"]);

        Assert.Equal("m-1/new-owners", second.LedgerMessageId("m-1"));
        Assert.Equal(key with { Version = "7/new-owners" }, second.LedgerChangeKey(key));
    }

    public static TheoryData<string> InvisibleYes() => ["Yes\u200B", "\u200BYes", "Y\u200Des", "Yes\u2060", " Yes\uFEFF "];

    [Theory]
    [MemberData(nameof(InvisibleYes))]
    public void NotifyOnChangeWithInvisibleCharacters_StillOptsIn_SoLaterChangesReachTheOwner(string value)
    {
        var tags = TaggerAttacks.OptedIn(Owner);
        tags["NotifyOnChange"] = value;

        var decision = Decide(TaggerAttacks.TagChange(tags, tags, 6, rdpOpened: true));

        Assert.Equal((DecisionReasons.Changed, Owner), (decision.Reason, Assert.Single(decision.Recipients)));
        Assert.Null(decision.TurnedOff);
    }

    [Fact]
    public void ZeroWidthCharacterInTheNotifyOnChangeValue_IsShownInTheMail()
    {
        var before = TaggerAttacks.OptedIn(Owner);
        var after = TaggerAttacks.OptedIn(Owner);
        after["NotifyOnChange"] = "Yes\u200B";

        var decision = Decide(TaggerAttacks.TagChange(before, after, 7));
        var mail = new EmailRenderer(EmailRendererSettings.Default).Render(decision);

        Assert.Contains("[ROUTING] NotifyOnChange changed: \"Yes\" -> \"Yes<U+200B>\"", mail.Text, StringComparison.Ordinal);
        Assert.Matches("Yes&lt;U(\\+|&#x2B;)200B&gt;", mail.Html);
    }

    [Fact]
    public void CyrillicLookalikeYes_TurnsNotificationsOff_AndTheSubjectAndTopOfTheMailSaySo()
    {
        var before = TaggerAttacks.OptedIn(Owner);
        var after = TaggerAttacks.OptedIn(Owner);
        after["NotifyOnChange"] = "Y\u0435s";

        var decision = Decide(TaggerAttacks.TagChange(before, after, 8));
        var mail = new EmailRenderer(EmailRendererSettings.Default).Render(decision);

        Assert.Equal([Owner], decision.Recipients);
        Assert.NotNull(decision.TurnedOff);
        Assert.StartsWith("[SG change] notifications for this group are now OFF: sg-0a1b2c3d4e5f67890", mail.Subject, StringComparison.Ordinal);
        Assert.StartsWith("WARNING: notifications for this group are now OFF: NotifyOnChange no longer says yes or true.", mail.Text, StringComparison.Ordinal);
        Assert.Contains("\"Yes\" -> \"Y<U+0435>s\"", mail.Text, StringComparison.Ordinal);
        Assert.Contains("WARNING: notifications for this group are now OFF:", mail.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerMadeInvalid_TurnsNotificationsOff_TheOwnerIsToldAndTheSubjectSaysSo()
    {
        var before = TaggerAttacks.OptedIn(Owner);
        var after = TaggerAttacks.OptedIn("dept-a-at-example.com");

        var decision = Decide(TaggerAttacks.TagChange(before, after, 9));

        Assert.Equal([Owner], decision.Recipients);
        Assert.Contains("OwnerDL no longer holds a valid address", decision.TurnedOff!.Cause, StringComparison.Ordinal);
        Assert.StartsWith("[SG change] notifications for this group are now OFF", new EmailRenderer(EmailRendererSettings.Default).Render(decision).Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroWidthCharacterInTheOwnerTagKey_IsStillTheOwnerTag_AndHighlightedAsRouting()
    {
        var before = TaggerAttacks.OptedIn(Owner);
        var after = new Dictionary<string, string>(before) { ["Owner\u200BDL"] = "dept-b@example.com" };

        var decision = Decide(TaggerAttacks.TagChange(before, after, 10));
        var mail = new EmailRenderer(EmailRendererSettings.Default).Render(decision);

        Assert.Equal([Owner, "dept-b@example.com"], decision.Recipients);
        Assert.Contains("[ROUTING] Owner<U+200B>DL added", mail.Text, StringComparison.Ordinal);
        Assert.Contains("routing tags changed", mail.Subject, StringComparison.Ordinal);
    }

    [Fact]
    public void OwnerOutsideTheAllowedDomains_IsNotMailed_AndThePreviousOwnerIsToldTheGroupIsNowOff()
    {
        var before = TaggerAttacks.OptedIn(Owner);
        var after = TaggerAttacks.OptedIn("drop@attacker-mail.test");

        var decision = Decide(TaggerAttacks.TagChange(before, after, 11));

        Assert.Equal([Owner], decision.Recipients);
        Assert.Contains(decision.RejectedRecipients, r => r is { Address: "drop@attacker-mail.test", Reason: RecipientParser.DomainNotAllowed });
        Assert.NotNull(decision.TurnedOff);
    }

    [Fact]
    public void StarDomain_AllowsAnyDomainExplicitly()
    {
        var options = new NotifyOptions { AllowedRecipientDomains = [NotifyOptions.AnyDomain] };
        Assert.Equal(["drop@attacker-mail.test"], ChangeRouter.Owners(TaggerAttacks.OptedIn("drop@attacker-mail.test"), options).Addresses);
    }

    [Fact]
    public void AccountOutsideAllowedAccountIds_IsIgnoredWithAReason()
    {
        var options = new NotifyOptions { AllowedRecipientDomains = ["example.com"], AllowedAccountIds = ["111111111111"] };
        var tags = TaggerAttacks.OptedIn(Owner);

        var decision = Decide(TaggerAttacks.TagChange(tags, tags, 12, rdpOpened: true), options);

        Assert.Equal((DecisionOutcome.Ignore, DecisionReasons.AccountNotAllowed), (decision.Outcome, decision.Reason));
    }

    [Theory]
    [InlineData("Yes\u200B", "Yes")]
    [InlineData("\u202EYes\u202C ", "Yes")]
    [InlineData("Owner\u200BDL", "OwnerDL")]
    [InlineData("Y\u0435s", "Y\u0435s")]
    public void TagText_DropsFormatCharactersAndTrims(string raw, string normalized) =>
        Assert.Equal(normalized, TagText.Normalize(raw));
}
