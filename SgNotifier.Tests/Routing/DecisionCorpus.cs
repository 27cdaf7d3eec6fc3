using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Tests.Routing;

/// <summary>
/// Payload files under TestData/Config/&lt;folder&gt;/, each with <c>name.expected.json</c> beside it. The folder says
/// the outcome; the expected file holds the rest (rules as one line each: <c>Ingress tcp 22 0.0.0.0/0 "desc" risky public</c>).
/// </summary>
internal static partial class DecisionCorpus
{
    private static readonly string[] SidecarSuffixes = [".expected.json", ".s3.json", ".ec2.xml"];

    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Folder(string folder) => Path.Combine(AppContext.BaseDirectory, "TestData", "Config", folder);

    public static TheoryData<string> Payloads(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Folder(folder)).Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (!SidecarSuffixes.Any(s => file!.EndsWith(s, StringComparison.Ordinal)))
            {
                data.Add(file!);
            }
        }

        return data;
    }

    public static string Payload(string folder, string file) => File.ReadAllText(Path.Combine(Folder(folder), file));

    public static JsonObject Expected(string folder, string file)
    {
        var path = Path.Combine(Folder(folder), Path.GetFileNameWithoutExtension(file) + ".expected.json");
        return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path))!.AsObject() : [];
    }

    /// <summary>The options every corpus payload is decided with, unless its expected file overrides them.</summary>
    public static NotifyOptions Options(JsonObject expected)
    {
        var options = new NotifyOptions
        {
            AllowedRecipientDomains = ["example.com", "example.org"],
            FallbackRecipients = ["SecOps@example.com"],
        };
        if (expected["options"] is JsonObject overrides)
        {
            if (overrides["fallbackRecipients"] is JsonArray fallback)
            {
                options.FallbackRecipients = fallback.Select(n => n!.GetValue<string>()).ToList();
            }

            if (overrides["allowedRecipientDomains"] is JsonArray domains)
            {
                options.AllowedRecipientDomains = domains.Select(n => n!.GetValue<string>()).ToList();
            }

            if (overrides["riskyPorts"] is JsonArray ports)
            {
                options.RiskyPorts = ports.Select(n => n!.GetValue<int>()).ToList();
            }
        }

        return options;
    }

    public static void AssertMatches(JsonObject expected, ChangeDecision decision, DecisionOutcome folderOutcome)
    {
        AssertInvariants(decision);
        Assert.Equal(folderOutcome, decision.Outcome);

        var actual = new JsonObject
        {
            ["outcome"] = decision.Outcome.ToString(),
            ["reason"] = decision.Reason,
            ["recipients"] = Array(decision.Recipients.Select(r => (JsonNode?)r)),
            ["rejected"] = Array(decision.RejectedRecipients.Select(r => (JsonNode?)new JsonObject { ["address"] = r.Address, ["reason"] = r.Reason })),
            ["added"] = Array(decision.Added.Select(r => (JsonNode?)Describe(r))),
            ["removed"] = Array(decision.Removed.Select(r => (JsonNode?)Describe(r))),
            ["changed"] = Array(decision.Changed.Select(c => (JsonNode?)((c.Before is null ? "(unknown)" : Describe(c.Before)) + " => " + Describe(c.After)))),
            ["currentRules"] = Array(decision.CurrentRules.Select(r => (JsonNode?)Describe(r))),
            ["tagChanges"] = Array(decision.TagChanges.Select(t => (JsonNode?)new JsonObject { ["key"] = t.Key, ["before"] = t.Before, ["after"] = t.After })),
            ["risky"] = decision.IsRisky,
        };
        var wanted = new JsonObject();
        foreach (var (name, value) in actual)
        {
            wanted[name] = expected[name]?.DeepClone() ?? value switch
            {
                JsonArray => new JsonArray(),
                _ when name == "risky" => false,
                _ => null,
            };
        }

        // Optional fields: compared only when the expected file names them.
        AddIfExpected("changeType", decision.ChangeType);
        AddIfExpected("key", decision.Key?.ToString());
        AddIfExpected("groupName", decision.SecurityGroup?.Name);
        AddIfExpected("vpcId", decision.SecurityGroup?.VpcId);
        AddIfExpected("routedBy", decision.RoutedBy);

        if (!JsonNode.DeepEquals(wanted, actual))
        {
            Assert.Fail($"Decision differs.\nExpected:\n{wanted.ToJsonString(Pretty)}\nActual:\n{actual.ToJsonString(Pretty)}\nDetail: {decision.Detail}");
        }

        void AddIfExpected(string name, string? value)
        {
            if (expected.ContainsKey(name))
            {
                wanted[name] = expected[name]?.DeepClone();
                actual[name] = value;
            }
        }
    }

    /// <summary>What must hold for every decision, whatever the payload.</summary>
    public static void AssertInvariants(ChangeDecision decision)
    {
        Assert.Matches(KebabCase(), decision.Reason);
        Assert.False(string.IsNullOrWhiteSpace(decision.Detail));
        Assert.Equal(decision.Outcome == DecisionOutcome.Notify, decision.Recipients.Count > 0);
        Assert.Equal(decision.Recipients.Order(StringComparer.Ordinal).Distinct().Select(r => r.ToLowerInvariant()), decision.Recipients);
        Assert.All(decision.Recipients, r => Assert.True(RecipientParser.IsValidAddress(r), r));
        Assert.All(decision.RejectedRecipients, r => Assert.Matches(KebabCase(), r.Reason));
        AssertSorted(decision.Added.Select(r => r.Rule));
        AssertSorted(decision.Removed.Select(r => r.Rule));
        AssertSorted(decision.Changed.Select(c => c.After.Rule));
        if (decision.Outcome == DecisionOutcome.Notify)
        {
            Assert.NotNull(decision.Key);
            Assert.NotNull(decision.SecurityGroup);
            Assert.False(string.IsNullOrWhiteSpace(decision.RoutedBy));
        }
    }

    private static void AssertSorted(IEnumerable<SecurityGroupRule> rules)
    {
        var list = rules.ToList();
        var sorted = list.ToList();
        sorted.Sort(SecurityGroupRuleComparer.Instance);
        Assert.Equal(sorted, list);
    }

    public static string Describe(AssessedRule assessed)
    {
        var rule = assessed.Rule;
        var ports = (rule.FromPort, rule.ToPort) switch
        {
            (null, null) => "*",
            var (from, to) when from == to => from!.Value.ToString(CultureInfo.InvariantCulture),
            var (from, to) => $"{from}..{to}",
        };
        var text = $"{rule.Direction} {rule.Protocol} {ports} {rule.Peer}";
        if (rule.Description is not null)
        {
            text += $" \"{rule.Description}\"";
        }

        return text + (assessed.Risky ? " risky" : string.Empty) + (assessed.Public ? " public" : string.Empty);
    }

    private static JsonArray Array(IEnumerable<JsonNode?> nodes) => new([.. nodes]);

    [GeneratedRegex("^[a-z]+(-[a-z0-9]+)*$")]
    private static partial Regex KebabCase();
}
