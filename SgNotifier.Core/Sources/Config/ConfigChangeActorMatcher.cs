using System.Globalization;
using System.Text.Json;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.CloudTrail;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// Picks, from the CloudTrail events of a group, the calls that made the change a Config item reports: successful
/// security-group writes (no <c>errorCode</c>) whose name fits what the diff says changed (rules by direction, tags,
/// create, delete) and, where the request names rules or tags, whose content matches. Pure.
/// </summary>
public static class ConfigChangeActorMatcher
{
    private static readonly HashSet<string> SecurityGroupWrites = new(StringComparer.Ordinal)
    {
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
        "ModifySecurityGroupRules", "UpdateSecurityGroupRuleDescriptionsIngress", "UpdateSecurityGroupRuleDescriptionsEgress",
        "CreateSecurityGroup", "DeleteSecurityGroup", "CreateTags", "DeleteTags",
    };

    public static IReadOnlyList<ChangeActor> Match(ChangeDecision decision, IEnumerable<CloudTrailLookupEvent> events)
    {
        ArgumentNullException.ThrowIfNull(decision);
        ArgumentNullException.ThrowIfNull(events);
        var groupId = decision.SecurityGroup?.Id ?? decision.Key?.ResourceId;
        var strong = new List<(ChangeActor Actor, DateTimeOffset? Time)>();
        var weak = new List<(ChangeActor Actor, DateTimeOffset? Time)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lookedUp in events)
        {
            if (lookedUp.CloudTrailEvent is not { Length: > 0 } text)
            {
                continue;
            }

            try
            {
                using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64 });
                var record = document.RootElement;
                if (record.ValueKind != JsonValueKind.Object || !IsSuccessfulGroupWrite(record, groupId, out var eventName))
                {
                    continue;
                }

                var fit = Fit(decision, eventName, record);
                if (fit == Relevance.None)
                {
                    continue;
                }

                var actor = CloudTrailActorParser.Parse(record);
                if (!seen.Add(actor.EventId ?? lookedUp.EventId ?? Guid.NewGuid().ToString()))
                {
                    continue;
                }

                (fit == Relevance.Strong ? strong : weak).Add((actor, actor.EventTime));
            }
            catch (Exception exception) when (exception is JsonException or ArgumentException)
            {
                // An unreadable record names nobody (ArgumentException: a raw lone surrogate cannot become UTF-8).
            }
        }

        return (strong.Count > 0 ? strong : weak).OrderBy(static a => a.Time).Select(static a => a.Actor).ToList();
    }

    private static bool IsSuccessfulGroupWrite(JsonElement record, string? groupId, out string eventName)
    {
        eventName = Text(record, "eventName") ?? "";
        // Any errorCode string marks a failed call, readable or not: an unreadable one must not pass for "no error".
        if (Property(record, "errorCode").ValueKind == JsonValueKind.String || Text(record, "eventSource") is not "ec2.amazonaws.com" ||
            !SecurityGroupWrites.Contains(eventName))
        {
            return false;
        }

        // A record that names another group is not about this one (CreateTags may name many resources: any of them).
        var request = Property(record, "requestParameters");
        // A named group that is not valid Unicode is some other group, never this one.
        var named = new[] { Property(request, "groupId"), Property(Property(request, "ModifySecurityGroupRulesRequest"), "GroupId"), Property(Property(record, "responseElements"), "groupId") }
            .FirstOrDefault(static n => n.ValueKind == JsonValueKind.String);
        if (named.ValueKind == JsonValueKind.String && groupId is not null &&
            !(CloudTrailJson.TryReadString(named, out var namedId) && string.Equals(namedId, groupId, StringComparison.Ordinal)))
        {
            return false;
        }

        if (eventName is "CreateTags" or "DeleteTags" && groupId is not null)
        {
            var resources = Items(Property(request, "resourcesSet")).Select(static r => Text(r, "resourceId")).ToList();
            return resources.Count == 0 || resources.Contains(groupId, StringComparer.Ordinal);
        }

        return true;
    }

    private enum Relevance
    {
        None,
        Weak,
        Strong,
    }

    private static Relevance Fit(ChangeDecision decision, string eventName, JsonElement record)
    {
        var changeType = decision.ChangeType?.ToUpperInvariant();
        if (changeType == "DELETE")
        {
            return eventName == "DeleteSecurityGroup" ? Relevance.Strong : Relevance.None;
        }

        if (eventName == "DeleteSecurityGroup")
        {
            return Relevance.None;
        }

        if (changeType == "CREATE")
        {
            // Creation often comes with rules and tags in the next calls; the CreateSecurityGroup call names the creator.
            return eventName == "CreateSecurityGroup" ? Relevance.Strong : Relevance.Weak;
        }

        var known = decision.Added.Count + decision.Removed.Count + decision.Changed.Count + decision.TagChanges.Count > 0;
        if (!known)
        {
            // An oversized item read from EC2 (or no diff at all): any write to the group fits.
            return Relevance.Weak;
        }

        var request = Property(record, "requestParameters");
        switch (eventName)
        {
            case "AuthorizeSecurityGroupIngress":
                return RuleFit(decision.Added.Select(static r => r.Rule), RuleDirection.Ingress, request);
            case "AuthorizeSecurityGroupEgress":
                return RuleFit(decision.Added.Select(static r => r.Rule), RuleDirection.Egress, request);
            case "RevokeSecurityGroupIngress":
                return RuleFit(decision.Removed.Select(static r => r.Rule), RuleDirection.Ingress, request);
            case "RevokeSecurityGroupEgress":
                return RuleFit(decision.Removed.Select(static r => r.Rule), RuleDirection.Egress, request);
            case "UpdateSecurityGroupRuleDescriptionsIngress":
                return RuleFit(decision.Changed.Select(static c => c.After.Rule), RuleDirection.Ingress, request);
            case "UpdateSecurityGroupRuleDescriptionsEgress":
                return RuleFit(decision.Changed.Select(static c => c.After.Rule), RuleDirection.Egress, request);
            case "ModifySecurityGroupRules":
                // No direction and no previous values in the record: it fits any rule change.
                return decision.Added.Count + decision.Removed.Count + decision.Changed.Count > 0 ? Relevance.Weak : Relevance.None;
            case "CreateTags":
                return TagFit(decision.TagChanges.Where(static t => t.After is not null), request);
            case "DeleteTags":
                return TagFit(decision.TagChanges.Where(static t => t.After is null), request);
            default:
                return Relevance.None;
        }
    }

    private static Relevance RuleFit(IEnumerable<SecurityGroupRule> changed, RuleDirection direction, JsonElement request)
    {
        var candidates = changed.Where(r => r.Direction == direction).ToList();
        if (candidates.Count == 0)
        {
            return Relevance.None;
        }

        var requested = RequestedRules(request).ToList();
        if (requested.Count == 0)
        {
            // Revoke by rule id, or a record too large to carry its parameters: the name is all we have.
            return Relevance.Weak;
        }

        return requested.Any(r => candidates.Any(c => Same(c, r))) ? Relevance.Strong : Relevance.None;
    }

    private static Relevance TagFit(IEnumerable<TagChange> changed, JsonElement request)
    {
        var keys = changed.Select(static t => t.Key).ToHashSet(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return Relevance.None;
        }

        var requested = Items(Property(request, "tagSet")).Select(static t => Text(t, "key")).OfType<string>().ToList();
        return requested.Count == 0 ? Relevance.Weak : requested.Any(keys.Contains) ? Relevance.Strong : Relevance.None;
    }

    private static bool Same(SecurityGroupRule changed, (string Protocol, int? From, int? To, string Peer) requested)
    {
        if (!string.Equals(changed.Protocol, requested.Protocol, StringComparison.Ordinal))
        {
            return false;
        }

        var peerMatches = string.Equals(changed.Peer, requested.Peer, StringComparison.OrdinalIgnoreCase) ||
                          changed.Peer.EndsWith("/" + requested.Peer, StringComparison.Ordinal);
        if (!peerMatches)
        {
            return false;
        }

        return changed.Protocol is not ("tcp" or "udp" or "icmp" or "icmpv6") ||
               (requested.From is null && requested.To is null) ||
               (Nullable.Equals(changed.FromPort, requested.From) && Nullable.Equals(changed.ToPort, requested.To));
    }

    /// <summary>(protocol, from, to, peer) of each peer in <c>ipPermissions.items</c>, or of the legacy flat form.</summary>
    private static IEnumerable<(string Protocol, int? From, int? To, string Peer)> RequestedRules(JsonElement request)
    {
        var permissions = Items(Property(request, "ipPermissions")).ToList();
        if (permissions.Count == 0 && Text(request, "ipProtocol") is not null)
        {
            permissions.Add(request);
        }

        foreach (var permission in permissions)
        {
            if (Text(permission, "ipProtocol") is not { } rawProtocol)
            {
                continue;
            }

            var protocol = PermissionFlattener.NormalizeProtocol(rawProtocol);
            var (from, to) = Ports(protocol, Number(permission, "fromPort"), Number(permission, "toPort"));
            var peers = Items(Property(permission, "ipRanges")).Select(static p => Text(p, "cidrIp"))
                .Concat(Items(Property(permission, "ipv6Ranges")).Select(static p => Text(p, "cidrIpv6")?.ToLowerInvariant()))
                .Concat(Items(Property(permission, "prefixListIds")).Select(static p => Text(p, "prefixListId")))
                .Concat(Items(Property(permission, "groups")).Select(static p => Text(p, "groupId") ?? Text(p, "groupName")))
                .Append(Text(permission, "cidrIp"))
                .Append(Text(permission, "sourceSecurityGroupName"))
                .OfType<string>();
            foreach (var peer in peers)
            {
                yield return (protocol, from, to, peer);
            }
        }
    }

    private static (int? From, int? To) Ports(string protocol, int? from, int? to) => protocol switch
    {
        "tcp" or "udp" => (from is null or -1 ? 0 : from, to is null or -1 ? 65535 : to),
        "icmp" or "icmpv6" => (from ?? -1, to ?? -1),
        _ => (null, null),
    };

    private static IEnumerable<JsonElement> Items(JsonElement list) =>
        ConfigJson.TryGetExact(list, "items", out var items) && items.ValueKind == JsonValueKind.Array
            ? items.EnumerateArray().Where(static i => i.ValueKind == JsonValueKind.Object)
            : list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().Where(static i => i.ValueKind == JsonValueKind.Object)
            : [];

    private static JsonElement Property(JsonElement element, string name) =>
        ConfigJson.TryGetExact(element, name, out var value) ? value : default;

    /// <summary>A string property; null when absent, not a string, or not valid Unicode (an escaped lone surrogate, invalid UTF-8).</summary>
    private static string? Text(JsonElement element, string name) =>
        CloudTrailJson.TryReadString(Property(element, name), out var text) ? text : null;

    private static int? Number(JsonElement element, string name) => Property(element, name) switch
    {
        { ValueKind: JsonValueKind.Number } value when value.TryGetInt32(out var number) => number,
        { ValueKind: JsonValueKind.String } value when int.TryParse(CloudTrailJson.TryReadString(value, out var text) ? text : null, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => number,
        _ => null,
    };
}
