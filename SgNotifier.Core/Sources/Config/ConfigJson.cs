using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// Tolerant readers for Config JSON: property names match case-insensitively (old items write <c>accountId</c>,
/// <c>configurationStateID</c>, <c>arn</c>), numbers may arrive as strings and strings as numbers.
/// </summary>
internal static class ConfigJson
{
    public static bool TryGet(this JsonElement element, string name, out JsonElement value)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            // An exact match wins over a case-insensitive one, so duplicate spellings resolve deterministically.
            if (TryGetExact(element, name, out value))
            {
                return true;
            }

            foreach (var property in element.EnumerateObject())
            {
                if (NameEqualsIgnoreCase(property, name))
                {
                    value = property.Value;
                    return true;
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>
    /// <see cref="JsonElement.TryGetProperty(string, out JsonElement)"/> (exact name, the last of duplicates), except that a
    /// property whose name is not valid Unicode (an escaped lone surrogate such as <c>"\ud800"</c>, which the parser
    /// accepts) is skipped instead of throwing <see cref="InvalidOperationException"/>: the document unescapes sibling
    /// names as it searches. False when <paramref name="element"/> is not an object.
    /// </summary>
    public static bool TryGetExact(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        try
        {
            return element.TryGetProperty(name, out value);
        }
        catch (InvalidOperationException)
        {
            var found = false;
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(NameOrNull(property), name, StringComparison.Ordinal))
                {
                    value = property.Value;
                    found = true;
                }
            }

            return found;
        }
    }

    /// <summary>The property's name; null when it is not valid Unicode (see <see cref="TryGetExact"/>).</summary>
    private static string? NameOrNull(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>property.Name</c> compared ignoring case, without allocating the name: optional fields are often absent, and
    /// each miss used to allocate every sibling's name (for every rule of a 1,000-rule group).
    /// </summary>
    private static bool NameEqualsIgnoreCase(JsonProperty property, string name)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return Ascii.IsValid(raw) && !raw.Contains((byte)'\\')
            ? Ascii.EqualsIgnoreCase(raw, name)
            : string.Equals(NameOrNull(property), name, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>True when the property exists and is neither null nor undefined.</summary>
    public static bool TryGetValue(this JsonElement element, string name, out JsonElement value) =>
        element.TryGet(name, out value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    /// <summary>A string, or the raw text of a number or boolean; null when absent, null or empty.</summary>
    public static string? GetScalar(this JsonElement element, string name)
    {
        if (!element.TryGetValue(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw new ConfigFormatException($"'{name}' is a {Describe(value.ValueKind)}, not a string"),
        };
    }

    public static string GetRequiredScalar(this JsonElement element, string name) =>
        element.GetScalar(name) ?? throw new ConfigFormatException($"'{name}' is missing");

    /// <summary>A port (or ICMP type/code): an integer from -1 to 65535, as a number or a numeric string; null when absent.</summary>
    public static int? GetPort(this JsonElement element, string name)
    {
        if (!element.TryGetValue(name, out var value))
        {
            return null;
        }

        long number;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetInt64(out number):
                break;
            case JsonValueKind.Number when value.TryGetDouble(out var real) && real == Math.Floor(real) && Math.Abs(real) < 1e9:
                number = (long)real;
                break;
            case JsonValueKind.String when string.IsNullOrWhiteSpace(value.GetString()):
                return null;
            case JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out number):
                break;
            default:
                throw new ConfigFormatException($"'{name}' is not an integer");
        }

        if (number is < -1 or > 65535)
        {
            throw new ConfigFormatException($"'{name}' is out of range (-1 to 65535)");
        }

        return (int)number;
    }

    public static DateTimeOffset? GetTimestamp(this JsonElement element, string name)
    {
        // A timestamp only decorates the mail: an unreadable one is dropped rather than failing the message.
        if (element.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String &&
            DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return time;
        }

        return null;
    }

    /// <summary>An array property without boxing an enumerator; false when absent or null, throws when not an array.</summary>
    public static bool TryGetArray(this JsonElement element, string name, out JsonElement array)
    {
        if (!element.TryGetValue(name, out array))
        {
            return false;
        }

        return array.ValueKind == JsonValueKind.Array
            ? true
            : throw new ConfigFormatException($"'{name}' is a {Describe(array.ValueKind)}, not an array");
    }

    /// <summary>The elements of an array property; empty when absent or null.</summary>
    public static IEnumerable<JsonElement> GetArray(this JsonElement element, string name)
    {
        if (!element.TryGetValue(name, out var value))
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw new ConfigFormatException($"'{name}' is a {Describe(value.ValueKind)}, not an array");
        }

        return value.EnumerateArray();
    }

    /// <summary>
    /// Tags either as a map (<c>{"Name": "web"}</c>) or as a list (<c>[{"key": "Name", "value": "web"}]</c>),
    /// or a single <c>{key, value}</c> object. Null when absent.
    /// </summary>
    public static Dictionary<string, string>? ReadTags(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return null;
            case JsonValueKind.Array:
                var fromList = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var entry in value.EnumerateArray())
                {
                    AddKeyValue(entry, fromList);
                }

                return fromList;
            case JsonValueKind.Object when value.TryGet("key", out var key) && key.ValueKind == JsonValueKind.String:
                var single = new Dictionary<string, string>(StringComparer.Ordinal);
                AddKeyValue(value, single);
                return single;
            case JsonValueKind.Object:
                var fromMap = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var property in value.EnumerateObject())
                {
                    fromMap[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString() ?? string.Empty,
                        JsonValueKind.Null => string.Empty,
                        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => property.Value.GetRawText(),
                        _ => throw new ConfigFormatException($"tag '{property.Name}' has a {Describe(property.Value.ValueKind)} value"),
                    };
                }

                return fromMap;
            default:
                throw new ConfigFormatException($"tags are a {Describe(value.ValueKind)}");
        }
    }

    private static void AddKeyValue(JsonElement entry, Dictionary<string, string> tags)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFormatException($"a tag is a {Describe(entry.ValueKind)}, not an object");
        }

        var key = entry.GetRequiredScalar("key");
        tags[key] = entry.GetScalar("value") ?? string.Empty;
    }

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };
}
