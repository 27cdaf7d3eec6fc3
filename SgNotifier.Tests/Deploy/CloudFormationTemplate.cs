using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// A CloudFormation template of <c>deploy/aws</c>, parsed once: the hub (<c>sgnotifier.yaml</c>) or the member
/// (<c>sgnotifier-member.yaml</c>), with lookups the tests share.
/// </summary>
internal sealed partial class CloudFormationTemplate
{
    public const string RelativePath = "deploy/aws/sgnotifier.yaml";

    public const string MemberRelativePath = "deploy/aws/sgnotifier-member.yaml";

    private static readonly Lazy<CloudFormationTemplate> Instance =
        new(static () => new CloudFormationTemplate(CloudFormationYaml.Parse(RepositoryRoot.ReadAllText(RelativePath)), RelativePath));

    private static readonly Lazy<CloudFormationTemplate> MemberInstance =
        new(static () => new CloudFormationTemplate(CloudFormationYaml.Parse(RepositoryRoot.ReadAllText(MemberRelativePath)), MemberRelativePath));

    /// <summary>Pseudo parameters CloudFormation defines (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html).</summary>
    public static readonly IReadOnlySet<string> PseudoParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    };

    public CloudFormationTemplate(JsonObject root, string path = RelativePath)
    {
        Root = root;
        Path = path;
    }

    /// <summary>The hub template.</summary>
    public static CloudFormationTemplate Load() => Instance.Value;

    public static CloudFormationTemplate LoadMember() => MemberInstance.Value;

    public static CloudFormationTemplate Load(string path) => path == MemberRelativePath ? LoadMember() : Load();

    public string Path { get; }

    public JsonObject Root { get; }

    public JsonObject Parameters => Section("Parameters");

    public JsonObject Conditions => Section("Conditions");

    public JsonObject Resources => Section("Resources");

    public JsonObject Outputs => Section("Outputs");

    public JsonObject Resource(string logicalId) =>
        Resources[logicalId] as JsonObject ?? throw new Xunit.Sdk.XunitException($"No resource {logicalId} in {Path}.");

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

    /// <summary>
    /// <paramref name="node"/> as CloudFormation would see it with the named conditions true and every other false:
    /// each <c>Fn::If</c> replaced by its chosen branch, and <c>AWS::NoValue</c> removed from lists and objects.
    /// </summary>
    public static JsonNode? Resolve(JsonNode? node, IReadOnlySet<string> trueConditions)
    {
        switch (node)
        {
            case JsonObject o when o.Count == 1 && o["Fn::If"] is JsonArray choice:
                return Resolve(trueConditions.Contains((string?)choice[0] ?? string.Empty) ? choice[1] : choice[2], trueConditions);
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (key, value) in o)
                {
                    var resolved = Resolve(value, trueConditions);
                    if (!IsNoValue(resolved))
                    {
                        result[key] = resolved;
                    }
                }

                return result;
            case JsonArray a:
                return new JsonArray(a.Select(item => Resolve(item, trueConditions)).Where(static item => !IsNoValue(item)).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    /// <summary>The statements of an IAM policy document (one statement object or a list of them).</summary>
    public static IReadOnlyList<JsonObject> Statements(JsonNode? document) =>
        document?["Statement"] switch
        {
            JsonArray statements => statements.OfType<JsonObject>().ToList(),
            JsonObject statement => [statement],
            _ => throw new Xunit.Sdk.XunitException("Policy document without statements."),
        };

    /// <summary>A string or a list of strings (IAM's Action, Resource, condition values).</summary>
    public static IReadOnlyList<string> Strings(JsonNode? node) =>
        node switch
        {
            null => [],
            JsonArray array => array.Select(static n => n?.ToString() ?? string.Empty).ToList(),
            _ => [node.ToString()],
        };

    private static bool IsNoValue(JsonNode? node) => node is JsonObject { Count: 1 } o && (string?)o["Ref"] == "AWS::NoValue";

    /// <summary>Names a <c>Fn::Sub</c> string refers to with <c>${Name}</c> or <c>${Name.Attribute}</c>; <c>${!Literal}</c> is not a reference.</summary>
    public static IEnumerable<string> SubstitutionNames(string template) =>
        SubstitutionPattern().Matches(template).Select(static m => m.Groups["name"].Value);

    [GeneratedRegex(@"\$\{(?!!)(?<name>[^}]+)\}")]
    private static partial Regex SubstitutionPattern();

    private JsonObject Section(string name) =>
        Root[name] as JsonObject ?? throw new Xunit.Sdk.XunitException($"{Path} has no {name} section.");
}
