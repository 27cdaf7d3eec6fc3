using System.Globalization;
using System.Text.Json.Nodes;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// Realistic AWS Config change messages for end-to-end tests, made from <c>samples/rdp-opened.json</c> (RDP from
/// the internet added to a group tagged <c>NotifyOnChange=Yes</c>) with a chosen owner, group and configuration state,
/// so every test mails its own recipient and counts only its own mails in the shared SES emulator.
/// </summary>
public static class ConfigChanges
{
    /// <summary>The topic the samples come from.</summary>
    public const string Topic = "arn:aws:sns:us-east-1:123456789012:config-sg-changes";

    private static readonly Lazy<string> Sample = new(static () => File.ReadAllText(Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json")));

    public static string RdpOpened(string owner, long configurationStateId, string groupId = "sg-0a1b2c3d4e5f67890")
    {
        var root = JsonNode.Parse(Sample.Value)!;
        var item = root["configurationItem"]!;
        item["configurationStateId"] = configurationStateId;
        item["resourceId"] = groupId;
        item["configuration"]!["groupId"] = groupId;
        item["ARN"] = "arn:aws:ec2:us-east-1:123456789012:security-group/" + groupId;
        item["tags"]!["OwnerDL"] = owner;
        foreach (var tag in item["configuration"]!["tags"]!.AsArray())
        {
            if ((string?)tag!["key"] == "OwnerDL")
            {
                tag["value"] = owner;
            }
        }

        return root.ToJsonString();
    }

    /// <summary>A unique owner address for one test, so its mails can be told apart in a shared store.</summary>
    public static string UniqueOwner(string prefix = "owner") =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{Guid.NewGuid():N}@example.com");
}
