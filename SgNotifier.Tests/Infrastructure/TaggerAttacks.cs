using System.Globalization;
using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// AWS Config change messages an insider who can only tag a group can cause (issue 13), made from
/// <c>samples/rdp-opened.json</c>: the group's tags go from <c>before</c> to <c>after</c> in
/// one change (with the <c>Configuration.Tags.N</c> diff Config emits), optionally with the sample's world-open RDP rule.
/// </summary>
public static class TaggerAttacks
{
    private static readonly Lazy<string> Sample = new(static () => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json")));

    public static string TagChange(
        IReadOnlyDictionary<string, string> before,
        IReadOnlyDictionary<string, string> after,
        long configurationStateId,
        bool rdpOpened = false,
        string groupId = "sg-0a1b2c3d4e5f67890")
    {
        var root = JsonNode.Parse(Sample.Value)!;
        var item = root["configurationItem"]!;
        item["configurationStateId"] = configurationStateId;
        item["resourceId"] = groupId;
        item["configuration"]!["groupId"] = groupId;
        item["ARN"] = "arn:aws:ec2:us-east-1:123456789012:security-group/" + groupId;
        var tagMap = new JsonObject();
        var tagList = new JsonArray();
        foreach (var (key, value) in after)
        {
            tagMap[key] = value;
            tagList.Add(new JsonObject { ["key"] = key, ["value"] = value });
        }

        item["tags"] = tagMap;
        item["configuration"]!["tags"] = tagList;

        var changed = root["configurationItemDiff"]!["changedProperties"]!.AsObject();
        if (!rdpOpened)
        {
            // Without the new rule the group's rules are the same before and after.
            changed.Clear();
            var rules = item["configuration"]!["ipPermissions"]!.AsArray();
            rules.RemoveAt(rules.Count - 1);
        }

        var index = 0;
        foreach (var key in before.Keys.Union(after.Keys, StringComparer.Ordinal))
        {
            var had = before.TryGetValue(key, out var oldValue);
            var has = after.TryGetValue(key, out var newValue);
            if (had && has && oldValue == newValue)
            {
                continue;
            }

            changed["Configuration.Tags." + index.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["previousValue"] = had ? new JsonObject { ["key"] = key, ["value"] = oldValue } : null,
                ["updatedValue"] = has ? new JsonObject { ["key"] = key, ["value"] = newValue } : null,
                ["changeType"] = had && has ? "UPDATE" : had ? "DELETE" : "CREATE",
            };
            index++;
        }

        return root.ToJsonString();
    }

    /// <summary>The group's usual tags: opted in, owned by <paramref name="owner"/>.</summary>
    public static Dictionary<string, string> OptedIn(string owner) =>
        new(StringComparer.Ordinal) { ["Name"] = "app-servers", ["NotifyOnChange"] = "Yes", ["OwnerDL"] = owner };

    /// <summary><paramref name="count"/> distinct addresses at <paramref name="domain"/>, space-separated as owners write them.</summary>
    public static string Addresses(string prefix, int count, string domain = "example.com") =>
        string.Join(' ', Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D2}@{domain}")));

    /// <summary>
    /// Finding 1: three owner-tag keys differing only in case, 17 addresses each, plus the previous owner: 52 addresses,
    /// more than SES takes in one message.
    /// </summary>
    public static string CaseVariantOwnerFlood(string previousOwner, long configurationStateId, bool rdpOpened = true)
    {
        var before = OptedIn(previousOwner);
        var after = new Dictionary<string, string>(before, StringComparer.Ordinal)
        {
            ["ownerdl"] = Addresses("a", 17),
            ["OWNERDL"] = Addresses("b", 17),
            ["ownerDL"] = Addresses("c", 17),
        };
        return TagChange(before, after, configurationStateId, rdpOpened);
    }
}
