using System.Globalization;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Senders;
using SgNotifier.Core.Sources.CloudTrail;

namespace SgNotifier.Core.Email;

// What the Liquid templates see. Every string that came from AWS passes through MailText.Body here, so templates
// (embedded or overridden) never receive raw control or bidi characters; HTML escaping is done by the encoder.

internal sealed record GroupView(
    string Id, string? Name, string? VpcId, string AccountId, string Region, string? Arn, string? Ec2Url, string? ConfigUrl);

internal sealed record RuleRow(
    string Change, string Direction, string Protocol, string Ports, string Peer, string? Description,
    string? PreviousDescription, bool Risky, bool Public)
{
    /// <summary>The <c>sgr-…</c> id when the source told it.</summary>
    public string? RuleId { get; init; }

    /// <summary>A changed rule whose previous value no source knows (a CloudTrail modify of a group not seen before).</summary>
    public bool PreviousUnknown { get; init; }

    /// <summary>A risky rule that now exists (added or changed); a removed risky rule is good news.</summary>
    public bool Highlight => Risky && Change != "removed";
}

internal sealed record TagRow(string Key, string? Before, string? After, string Change, bool Routing);

internal sealed record EventLink(string Id, string? Url);

/// <summary>One actor of the "Changed by" block; <see cref="EventUrl"/> is built only from a validated region and event id.</summary>
internal sealed record ActorView(
    string Display, string? Type, string? Arn, string Client, string Kind, string? SourceIp, string? UserAgent, string? Mfa,
    string? Time, string? EventName, string? EventId, string? EventUrl, string? SourceIdentity, string? InvokedBy)
{
    public static ActorView From(ChangeActor actor, string? region) => new(
        MailText.Body(actor.Display)!,
        MailText.Body(actor.Type),
        MailText.Body(actor.Arn),
        MailText.Body(UserAgentClient.Describe(actor.UserAgent, actor.Console))!,
        UserAgentClient.Kind(actor.UserAgent, actor.Console),
        MailText.Body(actor.SourceIp),
        MailText.Body(actor.UserAgent),
        actor.Mfa switch { true => "yes", false => "no", _ => null },
        actor.EventTime?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
        MailText.Body(actor.EventName),
        MailText.Body(actor.EventId),
        region is null || actor.EventId is null ? null : AwsConsoleLinks.CloudTrailEvent(region, actor.EventId),
        MailText.Body(actor.SourceIdentity),
        MailText.Body(actor.InvokedBy));
}

internal sealed record ChangeView(
    string Subject,
    string Summary,
    GroupView? Group,
    string? ResourceId,
    string? ChangeType,
    bool Deleted,
    string? CaptureTime,
    bool Risky,
    IReadOnlyList<RuleRow> Rules,
    IReadOnlyList<TagRow> Tags,
    bool RoutingTagsChanged,
    string RoutingTagNames,
    IReadOnlyList<EventLink> Events,
    string? RoutedBy,
    string Reason,
    string Detail,
    string? ChangeKey,
    string? NotificationsOff,
    string? AlsoTold)
{
    /// <summary>"off", "found", "not-found", "pending" or "unavailable" (preview JSON <c>actorStatus</c>).</summary>
    public string ActorStatus { get; init; } = "off";

    /// <summary>Why no actor is shown (not yet in CloudTrail, throttled, access denied…); null when found or off.</summary>
    public string? ActorNote { get; init; }

    public IReadOnlyList<ActorView> Actors { get; init; } = [];

    /// <summary>Rules the change touched by id whose values no source knows ("rule sgr-… (details unknown)").</summary>
    public IReadOnlyList<string> UnknownRules { get; init; } = [];

    /// <summary>Which source reported the change and how long after it happened it was handled; null without a change.</summary>
    public string? Reported { get; init; }

    /// <summary>What the other source already mailed of this change (issue 17); null when nothing.</summary>
    public string? AlreadyReported { get; init; }

    /// <summary>What the source could not tell about the change; null when nothing.</summary>
    public string? Note { get; init; }

    public static ChangeView From(ChangeDecision decision, string subject, RoutingTagKeys tagKeys, MailDestination? destination = null)
    {
        var group = decision.SecurityGroup is { } g
            ? new GroupView(
                MailText.Body(g.Id)!, MailText.Body(g.Name), MailText.Body(g.VpcId), MailText.Body(g.AccountId)!,
                MailText.Body(g.Region)!, MailText.Body(g.Arn),
                AwsConsoleLinks.SecurityGroup(g.Region, g.Id), AwsConsoleLinks.ConfigTimeline(g.Region, g.Id))
            : null;
        var region = decision.SecurityGroup?.Region ?? decision.Key?.Region;
        // Tag rows show invisible characters, and in routing tags every non-ASCII lookalike, as <U+XXXX>: "Yes" and
        // "Yes"+U+200B, or "Yes" and "Y"+U+0435+"s", must not read the same in the mail that switches a group off.
        var tags = decision.TagChanges.Select(t =>
            {
                var routing = tagKeys.IsRoutingTag(t);
                return new TagRow(
                    MailText.Visible(t.Key, routing)!, MailText.Visible(t.Before, routing), MailText.Visible(t.After, routing),
                    t.Before is null ? "added" : t.After is null ? "removed" : "changed", routing);
            })
            .ToList();
        return new ChangeView(
            subject,
            SummaryOf(decision),
            group,
            MailText.Body(decision.SecurityGroup?.Id ?? decision.Key?.ResourceId),
            MailText.Body(decision.ChangeType),
            string.Equals(decision.ChangeType, "DELETE", StringComparison.OrdinalIgnoreCase),
            decision.CaptureTime?.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture),
            decision.IsRisky,
            RulesOf(decision),
            tags,
            tags.Any(static t => t.Routing),
            MailText.Body($"{tagKeys.NotifyOnChange} / {tagKeys.OwnerDl}")!,
            decision.RelatedEvents
                .Select(id => new EventLink(MailText.Body(id)!, region is null ? null : AwsConsoleLinks.CloudTrailEvent(region, id)))
                .ToList(),
            MailText.Body(decision.RoutedBy),
            MailText.Body(decision.Reason)!,
            MailText.Body(decision.Detail)!,
            MailText.Body(decision.Key?.ToString()),
            MailText.Body(NotificationsOffText(decision.TurnedOff)),
            MailText.Body(AlsoToldText(destination)))
        {
            ActorStatus = decision.Actors.StatusName,
            ActorNote = decision.Actors.Status is Changes.ActorStatus.NotFound or Changes.ActorStatus.Unavailable or Changes.ActorStatus.Pending
                ? MailText.Body(decision.Actors.Detail)
                : null,
            Actors = decision.Actors.Actors.Select(a => ActorView.From(a, region)).ToList(),
            UnknownRules = decision.Change?.Rules.UnknownRuleIds.Select(static id => MailText.Body(id)!).ToList() ?? [],
            Reported = MailText.Body(ReportedText(decision)),
            AlreadyReported = MailText.Body(AlreadyReportedText(decision)),
            Note = MailText.Body(decision.Change?.Note),
        };
    }

    /// <summary>"AWS CloudTrail (…), handled 42 s after the call": which source, and how fast SgNotifier was.</summary>
    public static string? ReportedText(ChangeDecision decision)
    {
        if (decision.Change is not { } change)
        {
            return null;
        }

        var after = change.Source == ChangeSource.CloudTrail ? "the call" : "AWS Config recorded it";
        return change.Time is { } time && decision.HandledAt is { } handled
            ? $"{change.Source.Display()}; handled {Duration(handled - time)} after {after}"
            : change.Source.Display();
    }

    /// <summary>The other source's mails that already covered part of this change, and what this mail adds.</summary>
    public static string? AlreadyReportedText(ChangeDecision decision)
    {
        if (decision.Coverage is not { Reports.Count: > 0 } coverage || decision.Change is not { } change)
        {
            return null;
        }

        var reports = string.Join("; ", coverage.Reports.Select(static r =>
            $"{r.Source.Display()} at {r.Time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)}" +
            (r.EventIds.Count > 0 ? $" (event {string.Join(", ", r.EventIds)})" : "")));
        return change.Source == ChangeSource.Config
            ? $"Part of this change was already mailed from {reports}. AWS Config reports what no CloudTrail mail covered ({coverage.Uncovered} of its {coverage.Covered + coverage.Uncovered} facts)."
            : $"Part of this change was already mailed from {reports}; this mail reports {coverage.Uncovered} of its {coverage.Covered + coverage.Uncovered} facts for the first time.";
    }

    private static string Duration(TimeSpan span)
    {
        var seconds = Math.Max(0, span.TotalSeconds);
        return seconds switch
        {
            < 1 => "under a second",
            < 120 => string.Create(CultureInfo.InvariantCulture, $"{(int)seconds} s"),
            < 7200 => string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 60)} min"),
            < 172800 => string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 3600)} h"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{(int)(seconds / 86400)} days"),
        };
    }

    /// <summary>The top line of a mail about a change that silenced the group: what was lost and, when known, who did it.</summary>
    public static string? NotificationsOffText(NotificationsTurnedOff? off) => off is null
        ? null
        : off.Actor is { Length: > 0 } actor
            ? $"{off.Cause} (changed by {actor}). Later changes of this group will not reach its owners until the tags are put back."
            : $"{off.Cause}. Later changes of this group will not reach its owners until the tags are put back.";

    private static string? AlsoToldText(MailDestination? destination) => destination?.Audience switch
    {
        MailAudience.PreviousOwners => "You were an owner of this group before this change re-pointed its owner tag. " + destination.AlsoTold,
        MailAudience.NewOwners => "This change added you to the group's owner tag. " + destination.AlsoTold,
        _ => destination?.AlsoTold,
    };

    private static string SummaryOf(ChangeDecision decision)
    {
        if (decision.Change?.Rules.Completeness == RuleCompleteness.Unknown && decision.Change.Kind != ChangeKind.Deleted)
        {
            // Nothing is known of the change itself: say why, and what to do.
            return decision.Detail;
        }

        if (string.Equals(decision.ChangeType, "DELETE", StringComparison.OrdinalIgnoreCase))
        {
            return "The security group was deleted.";
        }

        var parts = new List<string>();
        AddCount(parts, decision.Added.Count, "added");
        AddCount(parts, decision.Removed.Count, "removed");
        AddCount(parts, decision.Changed.Count, "changed");
        AddCount(parts, decision.Change?.Rules.UnknownRuleIds.Count ?? 0, "touched by id (details unknown)");
        var rules = parts.Count == 0
            ? decision.Change?.Rules.Completeness == RuleCompleteness.CurrentOnly ? "The rule changes are unknown" : "No rule changed"
            : string.Join(", ", parts);
        var tags = decision.TagChanges.Count switch
        {
            0 => "",
            1 => "; 1 tag changed",
            var n => string.Create(CultureInfo.InvariantCulture, $"; {n} tags changed"),
        };
        var risky = decision.IsRisky ? " Risky rules are listed first." : "";
        return rules + tags + "." + risky;
    }

    private static void AddCount(List<string> parts, int count, string verb)
    {
        if (count > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? "rule" : "rules")} {verb}"));
        }
    }

    /// <summary>Risky rules first, then added, changed, removed; otherwise in the decision's order.</summary>
    private static List<RuleRow> RulesOf(ChangeDecision decision) =>
        decision.Added.Select(static r => Row("added", r, null))
            .Concat(decision.Changed.Select(static c => Row("changed", c.After, c.Before?.Rule.Description) with { RuleId = MailText.Body(c.RuleId), PreviousUnknown = c.Before is null }))
            .Concat(decision.Removed.Select(static r => Row("removed", r, null)))
            .Select(static (row, index) => (row, index))
            .OrderBy(static x => x.row.Highlight ? 0 : 1)
            .ThenBy(static x => x.index)
            .Select(static x => x.row)
            .ToList();

    private static RuleRow Row(string change, AssessedRule assessed, string? previousDescription)
    {
        var rule = assessed.Rule;
        return new RuleRow(
            change,
            MailText.Direction(rule.Direction),
            MailText.Body(MailText.Protocol(rule))!,
            MailText.Ports(rule),
            MailText.Body(rule.Peer)!,
            MailText.Body(rule.Description),
            MailText.Body(previousDescription),
            assessed.Risky,
            assessed.Public)
        {
            RuleId = MailText.Body(assessed.RuleId),
        };
    }
}

internal sealed record DeliveryFailureView(
    string Subject,
    string OriginalSubject,
    string Provider,
    string Status,
    string? ErrorCode,
    string? ErrorDetail,
    IReadOnlyList<string> Recipients,
    GroupView? Group,
    string? ResourceId,
    string? CaptureTime,
    string? ChangeKey)
{
    public static DeliveryFailureView From(ChangeView change, string subject, string provider, SendResult result, IReadOnlyList<string> recipients) =>
        new(subject, change.Subject, MailText.Body(provider)!, result.Status.ToString(), MailText.Body(result.ErrorCode),
            MailText.Body(result.Detail), recipients.Select(static r => MailText.Body(r)!).ToList(), change.Group,
            change.ResourceId, change.CaptureTime, change.ChangeKey);
}
