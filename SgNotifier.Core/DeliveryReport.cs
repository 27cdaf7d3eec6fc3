using System.Globalization;
using System.Text;
using System.Text.Json;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core;

/// <summary>
/// The <c>sgnotifier preview</c> report of one delivery: the stable JSON contract users script against
/// (README "preview --json"), and a readable text summary.
/// </summary>
public static class DeliveryReport
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = true };

    public static string ToJson(DeliveryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteResult(writer, result, others: true);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <param name="others">Whether to write <c>otherGroups</c>: the answers for the other groups of a tag call on several groups.</param>
    private static void WriteResult(Utf8JsonWriter writer, DeliveryResult result, bool others)
    {
        var decision = result.Decision;
        {
            writer.WriteStartObject();
            writer.WriteString("outcome", result.OutcomeName);
            writer.WriteString("reason", result.Reason);
            writer.WriteString("detail", result.Detail);
            writer.WriteNumber("httpStatus", result.HttpStatus);
            WriteNullableString(writer, "source", (decision?.Source ?? decision?.Change?.Source)?.Name());
            WriteNullableString(writer, "messageType", decision?.MessageType);
            writer.WriteStartArray("eventIds");
            foreach (var id in decision?.RelatedEvents ?? [])
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            WriteNullableString(writer, "eventTime", decision?.CaptureTime?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            if (decision?.SecurityGroup is { } group)
            {
                writer.WriteStartObject("securityGroup");
                writer.WriteString("id", group.Id);
                WriteNullableString(writer, "name", group.Name);
                writer.WriteString("accountId", group.AccountId);
                writer.WriteString("region", group.Region);
                WriteNullableString(writer, "vpcId", group.VpcId);
                WriteNullableString(writer, "arn", group.Arn);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("securityGroup");
            }

            WriteNullableString(writer, "changeType", decision?.ChangeType);
            writer.WriteStartArray("recipients");
            foreach (var recipient in (decision?.Recipients ?? []).Select(static r => r.ToLowerInvariant()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(recipient);
            }

            writer.WriteEndArray();

            // One entry per message sent for the change (previous owners alone when the owner tag was re-pointed).
            writer.WriteStartArray("messages");
            IReadOnlyList<MailDestination> destinations = decision is { Outcome: DecisionOutcome.Notify } ? decision.MailDestinations() : [];
            foreach (var destination in destinations)
            {
                writer.WriteStartObject();
                writer.WriteString("audience", destination.Audience switch
                {
                    MailAudience.PreviousOwners => "previous-owners",
                    MailAudience.NewOwners => "new-owners",
                    MailAudience.Fallback => "fallback",
                    _ => "owners",
                });
                writer.WriteStartArray("recipients");
                foreach (var recipient in destination.Recipients)
                {
                    writer.WriteStringValue(recipient);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteNullableString(writer, "notificationsOff", decision?.TurnedOff?.Cause);
            writer.WriteStartArray("rejectedRecipients");
            foreach (var rejected in decision?.RejectedRecipients ?? [])
            {
                writer.WriteStartObject();
                writer.WriteString("address", rejected.Address);
                writer.WriteString("reason", rejected.Reason);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteRules(writer, "added", decision?.Added ?? []);
            WriteRules(writer, "removed", decision?.Removed ?? []);
            writer.WriteStartArray("changed");
            foreach (var changed in (decision?.Changed ?? []).OrderBy(static c => c.After.Rule, RuleOrder.Instance))
            {
                writer.WriteStartObject();
                writer.WritePropertyName("before");
                if (changed.Before is { } before)
                {
                    WriteRule(writer, before);
                }
                else
                {
                    // Unknown: the source did not tell it and nothing remembered it (never guessed).
                    writer.WriteNullValue();
                }

                writer.WritePropertyName("after");
                WriteRule(writer, changed.After with { RuleId = changed.After.RuleId ?? changed.RuleId });
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartArray("unknownRules");
            foreach (var id in decision?.Change?.Rules.UnknownRuleIds ?? [])
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            WriteNullableString(writer, "rulesKnown", decision?.Change?.Rules.Completeness switch
            {
                null => null,
                RuleCompleteness.Known => "known",
                RuleCompleteness.BeforeUnknown => "before-unknown",
                RuleCompleteness.CurrentOnly => "current-only",
                _ => "unknown",
            });
            WriteNullableString(writer, "note", decision?.Change?.Note);
            writer.WriteStartArray("tagChanges");
            foreach (var tag in (decision?.TagChanges ?? []).OrderBy(static t => t.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("key", tag.Key);
                WriteNullableString(writer, "before", tag.Before);
                WriteNullableString(writer, "after", tag.After);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            WriteActors(writer, decision?.Actors ?? ChangeActors.Off);
            WriteCoverage(writer, decision?.Coverage);
            if (result.Email is { } email)
            {
                writer.WriteStartObject("email");
                writer.WriteString("subject", email.Subject);
                writer.WriteString("text", email.Text);
                writer.WriteString("html", email.Html);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteNull("email");
            }

            if (others && result.Others.Count > 0)
            {
                writer.WriteStartArray("otherGroups");
                foreach (var other in result.Others)
                {
                    WriteResult(writer, other, others: false);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }
    }

    private static void WriteCoverage(Utf8JsonWriter writer, CoverageNote? coverage)
    {
        if (coverage is null)
        {
            writer.WriteNull("alreadyReported");
            return;
        }

        writer.WriteStartObject("alreadyReported");
        writer.WriteNumber("covered", coverage.Covered);
        writer.WriteNumber("uncovered", coverage.Uncovered);
        writer.WriteStartArray("reports");
        foreach (var report in coverage.Reports)
        {
            writer.WriteStartObject();
            writer.WriteString("source", report.Source.Name());
            writer.WriteString("time", report.Time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteStartArray("eventIds");
            foreach (var id in report.EventIds)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>A readable summary, followed by the text mail when there is one.</summary>
    public static string ToText(DeliveryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.Append(culture, $"Outcome:     {result.OutcomeName} ({result.Reason}), HTTP {result.HttpStatus}").AppendLine();
        text.Append(culture, $"Detail:      {result.Detail}").AppendLine();
        if (result.Decision is { } decision)
        {
            if ((decision.Source ?? decision.Change?.Source) is { } source)
            {
                text.Append(culture, $"Source:      {source.Name()}").Append(decision.RelatedEvents.Count > 0 ? " (events " + string.Join(", ", decision.RelatedEvents) + ")" : "").AppendLine();
            }

            if (decision.MessageType is not null)
            {
                text.Append(culture, $"Message:     {decision.MessageType}").AppendLine();
            }

            if (decision.SecurityGroup is { } group)
            {
                text.Append(culture, $"Group:       {group.Id} ({group.Name}) {group.AccountId}/{group.Region} {group.VpcId}").AppendLine();
            }

            if (decision.ChangeType is not null)
            {
                text.Append(culture, $"Change:      {decision.ChangeType}: +{decision.Added.Count} -{decision.Removed.Count} ~{decision.Changed.Count} rules, {decision.TagChanges.Count} tag changes").AppendLine();
            }

            if (decision.Recipients.Count > 0)
            {
                text.Append(culture, $"Recipients:  {string.Join(", ", decision.Recipients)}").AppendLine();
            }

            if (decision.Destinations.Count > 1)
            {
                foreach (var destination in decision.Destinations)
                {
                    text.Append(culture, $"Message:     {destination.Audience}: {string.Join(", ", destination.Recipients)}").AppendLine();
                }
            }

            if (decision.TurnedOff is { } off)
            {
                text.Append(culture, $"WARNING:     notifications for this group are now OFF: {off.Cause}").AppendLine();
            }

            if (decision.Change?.Note is { } note)
            {
                text.Append(culture, $"Note:        {note}").AppendLine();
            }

            if (Email.ChangeView.AlreadyReportedText(decision) is { } already)
            {
                text.Append(culture, $"Already:     {already}").AppendLine();
            }

            foreach (var rejected in decision.RejectedRecipients)
            {
                text.Append(culture, $"Rejected:    {rejected.Address} ({rejected.Reason})").AppendLine();
            }

            if (decision.RoutedBy is not null)
            {
                text.Append(culture, $"Routed by:   {decision.RoutedBy}").AppendLine();
            }

            if (decision.Actors.Status != ActorStatus.Off)
            {
                text.Append(culture, $"Actor:       {decision.Actors.StatusName}").Append(decision.Actors.Detail is { } why ? " (" + why + ")" : "").AppendLine();
                foreach (var actor in decision.Actors.Actors)
                {
                    text.Append(culture, $"Changed by:  {actor.Display} ({actor.EventName} {actor.EventId})").AppendLine();
                }
            }
        }

        if (result.Email is { } email)
        {
            text.AppendLine().Append(culture, $"Subject: {email.Subject}").AppendLine().AppendLine().Append(email.Text);
        }

        return text.ToString();
    }

    private static void WriteActors(Utf8JsonWriter writer, ChangeActors actors)
    {
        writer.WriteString("actorStatus", actors.StatusName);
        WriteNullableString(writer, "actorDetail", actors.Detail);
        writer.WriteStartArray("actors");
        foreach (var actor in actors.Actors)
        {
            writer.WriteStartObject();
            writer.WriteString("display", actor.Display);
            WriteNullableString(writer, "type", actor.Type);
            WriteNullableString(writer, "arn", actor.Arn);
            WriteNullableString(writer, "accountId", actor.AccountId);
            WriteNullableString(writer, "sessionName", actor.SessionName);
            WriteNullableString(writer, "sourceIdentity", actor.SourceIdentity);
            WriteNullableString(writer, "invokedBy", actor.InvokedBy);
            WriteNullableString(writer, "sourceIp", actor.SourceIp);
            WriteNullableString(writer, "userAgent", actor.UserAgent);
            writer.WriteBoolean("console", actor.Console);
            if (actor.Mfa is { } mfa)
            {
                writer.WriteBoolean("mfa", mfa);
            }
            else
            {
                writer.WriteNull("mfa");
            }

            WriteNullableString(writer, "eventName", actor.EventName);
            WriteNullableString(writer, "eventTime", actor.EventTime?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            WriteNullableString(writer, "eventId", actor.EventId);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteRules(Utf8JsonWriter writer, string name, IReadOnlyList<AssessedRule> rules)
    {
        writer.WriteStartArray(name);
        foreach (var rule in rules.OrderBy(static r => r.Rule, RuleOrder.Instance))
        {
            WriteRule(writer, rule);
        }

        writer.WriteEndArray();
    }

    private static void WriteRule(Utf8JsonWriter writer, AssessedRule assessed)
    {
        var rule = assessed.Rule;
        writer.WriteStartObject();
        writer.WriteString("direction", rule.Direction == RuleDirection.Ingress ? "ingress" : "egress");
        writer.WriteString("protocol", rule.Protocol);
        WriteNullableNumber(writer, "fromPort", rule.FromPort);
        WriteNullableNumber(writer, "toPort", rule.ToPort);
        writer.WriteString("peer", rule.Peer);
        WriteNullableString(writer, "description", rule.Description);
        writer.WriteBoolean("risky", assessed.Risky);
        writer.WriteBoolean("public", assessed.Public);
        WriteNullableString(writer, "ruleId", assessed.RuleId);
        writer.WriteEndObject();
    }

    private static void WriteNullableString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNullableNumber(Utf8JsonWriter writer, string name, int? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>The contract's rule order: direction, protocol, ports, peer.</summary>
    private sealed class RuleOrder : IComparer<SecurityGroupRule>
    {
        public static readonly RuleOrder Instance = new();

        public int Compare(SecurityGroupRule? x, SecurityGroupRule? y)
        {
            if (x is null || y is null)
            {
                return x is null ? (y is null ? 0 : -1) : 1;
            }

            var order = x.Direction.CompareTo(y.Direction);
            order = order != 0 ? order : string.CompareOrdinal(x.Protocol, y.Protocol);
            order = order != 0 ? order : Nullable.Compare(x.FromPort, y.FromPort);
            order = order != 0 ? order : Nullable.Compare(x.ToPort, y.ToPort);
            order = order != 0 ? order : string.CompareOrdinal(x.Peer, y.Peer);
            return order != 0 ? order : string.CompareOrdinal(x.Description, y.Description);
        }
    }
}
