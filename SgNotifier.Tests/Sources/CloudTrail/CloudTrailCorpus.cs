using System.Text.Encodings.Web;
using System.Text.Json;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Sources.CloudTrail;

/// <summary>
/// The events under <c>TestData/CloudTrail/&lt;outcome&gt;/</c>, and the pinned reading of each successful call
/// (<c>name.expected.json</c>). With <c>SGNOTIFIER_UPDATE_GOLDEN=1</c> the expected files are rewritten in the source
/// tree instead (review the diff).
/// </summary>
internal static class CloudTrailCorpus
{
    private static readonly JsonSerializerOptions SummaryOptions = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static TheoryData<string> Files(string folder)
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(RepositoryPaths.TestData("CloudTrail", folder)).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            if (!name.EndsWith(".expected.json", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return data;
    }

    public static string FilePath(string folder, string file) => RepositoryPaths.TestData("CloudTrail", folder, file);

    public static CloudTrailReading Parse(string folder, string file) =>
        CloudTrailEventParser.Parse(File.ReadAllText(FilePath(folder, file)));

    public static void AssertMatchesExpected(string folder, string file, SecurityGroupApiCall call)
    {
        var expectedName = Path.GetFileNameWithoutExtension(file) + ".expected.json";
        var actual = Summarize(call) + "\n";
        if (Environment.GetEnvironmentVariable("SGNOTIFIER_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(Path.Combine(RepositoryPaths.Root, "SgNotifier.Tests", "TestData", "CloudTrail", folder, expectedName), actual);
            return;
        }

        var path = FilePath(folder, expectedName);
        Assert.True(File.Exists(path), $"{expectedName} is missing; run with SGNOTIFIER_UPDATE_GOLDEN=1 to create it, then review it");
        Assert.Equal(File.ReadAllText(path), actual);
    }

    /// <summary>Everything the reading says, except the record kept for the actor parser.</summary>
    public static string Summarize(SecurityGroupApiCall call) => JsonSerializer.Serialize(
        new
        {
            api = call.Api.ToString(),
            @event = new
            {
                call.Event.EventBridgeId,
                call.Event.EventId,
                call.Event.EventName,
                EventTime = call.Event.EventTime?.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                call.Event.AccountId,
                call.Event.Region,
            },
            groups = call.Groups,
            added = call.Added.Select(Rule),
            removed = call.Removed.Select(Rule),
            removedRuleIds = call.RemovedRuleIds,
            modified = call.Modified,
            descriptionsUpdated = call.DescriptionsUpdated.Select(Rule),
            descriptionsUpdatedById = call.DescriptionsUpdatedById,
            tagsAdded = call.TagsAdded,
            tagsRemoved = call.TagsRemoved,
            allTagsRemoved = call.AllTagsRemoved,
            groupDescription = call.GroupDescription,
            userIdentityType = call.UserIdentity.ValueKind == JsonValueKind.Object && call.UserIdentity.TryGetProperty("type", out var type) ? type.GetString() : null,
        },
        SummaryOptions);

    private static object Rule(IdentifiedRule rule) => new
    {
        direction = rule.Rule.Direction.ToString(),
        protocol = rule.Rule.Protocol,
        fromPort = rule.Rule.FromPort,
        toPort = rule.Rule.ToPort,
        peer = rule.Rule.Peer,
        description = rule.Rule.Description,
        ruleId = rule.RuleId,
    };
}
