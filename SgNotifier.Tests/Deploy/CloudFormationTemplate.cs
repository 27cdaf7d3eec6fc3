using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SgNotifier.Tests.Deploy;

/// <summary><c>deploy/aws/sgnotifier.yaml</c>, parsed once, with lookups the tests share.</summary>
internal sealed partial class CloudFormationTemplate
{
    public const string RelativePath = "deploy/aws/sgnotifier.yaml";

    private static readonly Lazy<CloudFormationTemplate> Instance =
        new(static () => new CloudFormationTemplate(CloudFormationYaml.Parse(RepositoryRoot.ReadAllText(RelativePath))));

    /// <summary>Pseudo parameters CloudFormation defines (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).</summary>
    public static readonly IReadOnlySet<string> PseudoParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    };

    public CloudFormationTemplate(JsonObject root)
    {
        Root = root;
    }

    public static CloudFormationTemplate Load() => Instance.Value;

    public JsonObject Root { get; }

    public JsonObject Parameters => Section("Parameters");

    public JsonObject Conditions => Section("Conditions");

    public JsonObject Resources => Section("Resources");

    public JsonObject Outputs => Section("Outputs");

    public JsonObject Resource(string logicalId) =>
        Resources[logicalId] as JsonObject ?? throw new Xunit.Sdk.XunitException($"No resource {logicalId} in {RelativePath}.");

    public JsonObject Properties(string logicalId) =>
        Resource(logicalId)["Properties"] as JsonObject ?? throw new Xunit.Sdk.XunitException($"{logicalId} has no Properties.");

    public IReadOnlyList<KeyValuePair<string, JsonObject>> ResourcesOfType(string type) =>
        Resources.Where(r => (string?)r.Value?["Type"] == type)
            .Select(static r => KeyValuePair.Create(r.Key, (JsonObject)r.Value!))
            .ToList();

    public KeyValuePair<string, JsonObject> SingleResourceOfType(string type)
    {
        var matches = ResourcesOfType(type);
        Assert.True(matches.Count == 1, $"Expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>Every node below <paramref name="node"/>, itself included, depth first.</summary>
    public static IEnumerable<JsonNode> Descendants(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(static p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>Names a <c>Fn::Sub</c> string refers to with <c>${Name}</c> or <c>${Name.Attribute}</c>; <c>${!Literal}</c> is not a reference.</summary>
    public static IEnumerable<string> SubstitutionNames(string template) =>
        SubstitutionPattern().Matches(template).Select(static m => m.Groups["name"].Value);

    [GeneratedRegex(@"\$\{(?!!)(?<name>[^}]+)\}")]
    private static partial Regex SubstitutionPattern();

    private JsonObject Section(string name) =>
        Root[name] as JsonObject ?? throw new Xunit.Sdk.XunitException($"{RelativePath} has no {name} section.");
}
