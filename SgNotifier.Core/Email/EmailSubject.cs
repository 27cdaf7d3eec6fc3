using System.Globalization;
using System.Text;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Email;

/// <summary>
/// The one-line subject of a change mail, e.g.
/// <c>[SG change] sg-0abc (web) 123456789012/us-east-1: +1 −0, RISKY tcp/3389 from 0.0.0.0/0</c>.
/// </summary>
public static class EmailSubject
{
    public const int MaxLength = 200;

    /// <summary>What the subject and the first line of a mail say when a change leaves the owners unnotified.</summary>
    public const string NotificationsOff = "notifications for this group are now OFF";

    public static string ForChange(ChangeDecision decision, string prefix, RoutingTagKeys tagKeys)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(tagKeys);

        var builder = new StringBuilder();

        // First, so that truncation of a long group name never cuts it off.
        if (decision.TurnedOff is not null)
        {
            builder.Append(NotificationsOff).Append(": ");
        }

        builder.Append(Resource(decision)).Append(": ");
        if ((decision.SecurityGroup is null || decision.Change?.Rules.Completeness == Changes.RuleCompleteness.Unknown) &&
            decision.Added.Count + decision.Removed.Count + decision.Changed.Count == 0)
        {
            builder.Append(decision.Detail);
        }
        else if (string.Equals(decision.ChangeType, "DELETE", StringComparison.OrdinalIgnoreCase))
        {
            builder.Append("deleted");
        }
        else
        {
            builder.Append(CultureInfo.InvariantCulture, $"+{decision.Added.Count} \u2212{decision.Removed.Count}");
            if (decision.Changed.Count > 0)
            {
                builder.Append(CultureInfo.InvariantCulture, $" ~{decision.Changed.Count}");
            }
        }

        var risky = decision.Added.Where(static r => r.Risky).Select(static r => r.Rule)
            .Concat(decision.Changed.Where(static c => c.After.Risky).Select(static c => c.After.Rule))
            .ToList();
        if (risky.Count > 0)
        {
            builder.Append(", RISKY ").Append(MailText.ShortProtocolAndPorts(risky[0])).Append(" from ").Append(risky[0].Peer);
            if (risky.Count > 1)
            {
                builder.Append(CultureInfo.InvariantCulture, $" (+{risky.Count - 1} more)");
            }
        }

        if (decision.TagChanges.Any(tagKeys.IsRoutingTag))
        {
            builder.Append(", routing tags changed");
        }
        else if (decision.TagChanges.Count > 0)
        {
            builder.Append(", tags changed");
        }

        if (decision.Actors.Actors is [{ } actor])
        {
            builder.Append(" by ").Append(actor.Display);
        }

        return Finish(prefix, builder.ToString());
    }

    public static string ForDeliveryFailure(ChangeDecision decision, string prefix)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(prefix);
        return Finish(prefix, "could not deliver the mail about " + Resource(decision));
    }

    /// <summary>Prefix and text made one line of at most <see cref="MaxLength"/> characters.</summary>
    public static string Finish(string prefix, string text)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(text);
        var line = MailText.Subject(prefix.Length == 0 ? text : prefix + " " + text);
        return MailText.Truncate(line, MaxLength);
    }

    private static string Resource(ChangeDecision decision)
    {
        if (decision.SecurityGroup is { } group)
        {
            var name = string.IsNullOrWhiteSpace(group.Name) || group.Name == group.Id ? "" : $" ({group.Name})";
            return $"{group.Id}{name} {group.AccountId}/{group.Region}";
        }

        return decision.Key is { } key
            ? $"{key.ResourceId} {key.AccountId}/{key.Region}"
            : "unidentified security group";
    }
}
