using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// Reads a CloudFormation YAML template into the JSON form CloudFormation itself works on: the short-form tags
/// (<c>!Ref X</c>, <c>!Sub '…'</c>, <c>!GetAtt A.B</c>, …) become <c>{"Ref": "X"}</c>, <c>{"Fn::Sub": "…"}</c>,
/// <c>{"Fn::GetAtt": ["A", "B"]}</c>. An unknown tag is an error, as it is for CloudFormation.
/// </summary>
internal static class CloudFormationYaml
{
    /// <summary>Every short form CloudFormation accepts, mapped to its long form (Ref and Condition have no Fn:: prefix).</summary>
    public static readonly IReadOnlyDictionary<string, string> ShortForms = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["!Ref"] = "Ref",
        ["!Condition"] = "Condition",
        ["!Sub"] = "Fn::Sub",
        ["!GetAtt"] = "Fn::GetAtt",
        ["!If"] = "Fn::If",
        ["!Equals"] = "Fn::Equals",
        ["!Not"] = "Fn::Not",
        ["!And"] = "Fn::And",
        ["!Or"] = "Fn::Or",
        ["!Join"] = "Fn::Join",
        ["!Select"] = "Fn::Select",
        ["!Split"] = "Fn::Split",
        ["!ImportValue"] = "Fn::ImportValue",
        ["!FindInMap"] = "Fn::FindInMap",
        ["!Base64"] = "Fn::Base64",
        ["!Cidr"] = "Fn::Cidr",
        ["!GetAZs"] = "Fn::GetAZs",
    };

    public static JsonObject Parse(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count != 1)
        {
            throw new FormatException($"Expected one YAML document, found {stream.Documents.Count}.");
        }

        return Convert(stream.Documents[0].RootNode) as JsonObject
            ?? throw new FormatException("The template is not a mapping.");
    }

    private static JsonNode? Convert(YamlNode node)
    {
        var tag = node.Tag.IsEmpty ? null : node.Tag.Value;
        if (tag is null || tag.StartsWith("tag:yaml.org,2002:", StringComparison.Ordinal))
        {
            return ConvertUntagged(node);
        }

        if (!ShortForms.TryGetValue(tag, out var function))
        {
            throw new FormatException($"Unknown tag {tag} at {node.Start}.");
        }

        JsonNode? argument = node switch
        {
            // !GetAtt Resource.Attribute is shorthand for [Resource, Attribute]; the attribute itself may contain dots.
            YamlScalarNode { Value: { } value } when function == "Fn::GetAtt" =>
                value.IndexOf('.', StringComparison.Ordinal) is var dot and > 0
                    ? new JsonArray(value[..dot], value[(dot + 1)..])
                    : throw new FormatException($"!GetAtt {value} at {node.Start} names no attribute."),
            YamlScalarNode scalar => JsonValue.Create(scalar.Value ?? string.Empty),
            _ => ConvertUntagged(node),
        };
        return new JsonObject { [function] = argument };
    }

    private static JsonNode? ConvertUntagged(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var result = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = (key as YamlScalarNode)?.Value ?? throw new FormatException($"Non-scalar key at {key.Start}.");
                    result.Add(name, Convert(value));
                }

                return result;
            case YamlSequenceNode sequence:
                return new JsonArray(sequence.Children.Select(Convert).ToArray());
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                throw new FormatException($"Unsupported YAML node {node.NodeType} at {node.Start}.");
        }
    }

    // Quoted scalars are strings; plain ones follow YAML's core schema for the types CloudFormation cares about.
    private static JsonValue? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is not YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ => JsonValue.Create(value),
        };
    }
}
