using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// Readers that accept both serialisations EC2 uses in CloudTrail records (REFERENCE-cloudtrail §b): the classic
/// query style (camelCase, lists as <c>{"items": [...]}</c>, an empty list as <c>{}</c>) and the newer style
/// (PascalCase, a list of one collapsed to an object, list members tagged <c>"tag": N</c>, scalar members as
/// <c>{"content": v, "tag": N}</c>, XML sets as <c>{"item": ...}</c>). Names match case-insensitively, exact first.
/// Every reader throws <see cref="CloudTrailFormatException"/> for a wrong type, never another exception.
/// </summary>
internal static class CloudTrailJson
{
    /// <summary>The property's value when it is present and not null; <c>default</c> (Undefined) otherwise.</summary>
    public static JsonElement Get(JsonElement parent, string name) =>
        parent.TryGetValue(name, out var value) ? value : default;

    /// <summary>An object property; <c>default</c> when absent or null.</summary>
    public static JsonElement GetObject(JsonElement parent, string name)
    {
        var value = Get(parent, name);
        return value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Object
            ? value
            : throw new CloudTrailFormatException($"'{name}' is a {ConfigJson.Describe(value.ValueKind)}, not an object");
    }

    /// <summary>A string (or number) property, unwrapping <c>{"content": v}</c>; null when absent, null or empty.</summary>
    public static string? GetString(JsonElement parent, string name) => AsString(Get(parent, name), name);

    public static string? AsString(JsonElement value, string name)
    {
        if (value.ValueKind == JsonValueKind.Object && value.TryGetValue("content", out var content))
        {
            value = content;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.String => ReadString(value, name) is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw new CloudTrailFormatException($"'{name}' is a {ConfigJson.Describe(value.ValueKind)}, not a string"),
        };
    }

    /// <summary>
    /// A JSON string's value, or false when it is not one or cannot be read: <see cref="JsonElement.GetString"/>
    /// throws <see cref="InvalidOperationException"/> for an escaped lone surrogate (<c>"\ud800"</c>) and for invalid
    /// UTF-8, both of which the document parser accepts. That is bad input, not a bug: callers make it a value.
    /// Shared by every reader of caller-controlled CloudTrail text (this parser, the actor parser, the Config actor
    /// matcher and the <c>LookupEvents</c> client).
    /// </summary>
    public static bool TryReadString(JsonElement value, [NotNullWhen(true)] out string? text)
    {
        text = null;
        if (value.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        try
        {
            text = value.GetString();
            return text is not null;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static string ReadString(JsonElement value, string name) =>
        TryReadString(value, out var text) ? text : throw new CloudTrailFormatException($"'{name}' is not valid Unicode");

    public static string GetRequiredString(JsonElement parent, string name) =>
        GetString(parent, name) ?? throw new CloudTrailFormatException($"'{name}' is missing");

    /// <summary>A boolean, also as the strings <c>"true"</c>/<c>"false"</c> or <c>{"content": ...}</c>; null when absent.</summary>
    public static bool? GetBoolean(JsonElement parent, string name)
    {
        var value = Get(parent, name);
        if (value.ValueKind == JsonValueKind.Object && value.TryGetValue("content", out var content))
        {
            value = content;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Undefined or JsonValueKind.Null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(ReadString(value, name), out var parsed) => parsed,
            _ => throw new CloudTrailFormatException($"'{name}' is not a boolean"),
        };
    }

    /// <summary>A port, ICMP type or code: an integer from -1 to 65535, as a number or numeric string; null when absent.</summary>
    public static int? GetPort(JsonElement parent, string name)
    {
        var value = Get(parent, name);
        if (value.ValueKind == JsonValueKind.Object && value.TryGetValue("content", out var content))
        {
            value = content;
        }

        long number;
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.Number when value.TryGetInt64(out number):
                break;
            case JsonValueKind.String when long.TryParse(ReadString(value, name), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number):
                break;
            default:
                throw new CloudTrailFormatException($"'{name}' is not an integer");
        }

        return number is >= -1 and <= 65535
            ? (int)number
            : throw new CloudTrailFormatException($"'{name}' is out of range (-1 to 65535)");
    }

    /// <summary>
    /// A list in any of EC2's renderings: an array; <c>{"items": ...}</c> or <c>{"item": ...}</c> (array or single);
    /// <c>{}</c> for empty; a single member collapsed to an object or scalar. Empty when absent or null.
    /// </summary>
    public static List<JsonElement> GetList(JsonElement parent, string name)
    {
        var value = Get(parent, name);
        var list = new List<JsonElement>();
        AddMembers(list, value, name, unwrap: true);
        return list;
    }

    private static void AddMembers(List<JsonElement> list, JsonElement value, string name, bool unwrap)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return;
            case JsonValueKind.Array:
                foreach (var member in value.EnumerateArray())
                {
                    if (member.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                    {
                        list.Add(member);
                    }
                }

                return;
            case JsonValueKind.Object when unwrap && IsEmpty(value):
                return;
            case JsonValueKind.Object when unwrap && (value.TryGetValue("items", out var items) || value.TryGetValue("item", out items)):
                AddMembers(list, items, name, unwrap: false);
                return;
            case JsonValueKind.Object or JsonValueKind.String or JsonValueKind.Number:
                list.Add(value);
                return;
            default:
                throw new CloudTrailFormatException($"'{name}' is a {ConfigJson.Describe(value.ValueKind)}, not a list");
        }
    }

    private static bool IsEmpty(JsonElement value)
    {
        using var properties = value.EnumerateObject();
        return !properties.MoveNext();
    }

    /// <summary>The timestamp, or null when absent or unreadable (a time only orders and decorates; it never decides).</summary>
    public static DateTimeOffset? GetTimestamp(JsonElement parent, string name)
    {
        var value = Get(parent, name);
        if (value.ValueKind == JsonValueKind.String && value.TryGetDateTimeOffset(out var time))
        {
            return time.ToUniversalTime();
        }

        return null;
    }
}
