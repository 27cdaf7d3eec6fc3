using System.Text.Json;

namespace SgNotifier.Tests.Fuzz;

/// <summary>
/// Where the values, keys and strings of a JSON text are, as byte ranges, so that mutations can replace "the value at
/// a path" in the raw bytes (keeping everything else, duplicates and spacing included) rather than re-serializing.
/// </summary>
internal sealed class JsonSkeleton
{
    private JsonSkeleton(List<Span> values, List<Property> properties, List<Span> strings)
    {
        Values = values;
        Properties = properties;
        Strings = strings;
    }

    /// <summary>Every value (root, members, elements), containers from their bracket to their closing bracket.</summary>
    public IReadOnlyList<Span> Values { get; }

    /// <summary>Every member: its key (with quotes) and its value.</summary>
    public IReadOnlyList<Property> Properties { get; }

    /// <summary>The content (inside the quotes) of every string value and key.</summary>
    public IReadOnlyList<Span> Strings { get; }

    /// <summary>The skeleton of valid JSON, or null when the text is not JSON (a previous mutation broke it).</summary>
    public static JsonSkeleton? TryScan(byte[] json)
    {
        var values = new List<Span>();
        var properties = new List<Property>();
        var strings = new List<Span>();
        var open = new Stack<(int Start, JsonTokenType Kind, int Property)>();
        var pendingName = (Start: -1, End: -1);
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 100_000 });
            while (reader.Read())
            {
                var start = (int)reader.TokenStartIndex;
                var end = reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String
                    ? AfterClosingQuote(json, start)
                    : (int)reader.BytesConsumed;
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = (start, end);
                        strings.Add(new Span(start + 1, end - 1, JsonTokenType.String));
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        var property = -1;
                        if (pendingName.Start >= 0)
                        {
                            properties.Add(new Property(pendingName.Start, pendingName.End, new Span(start, -1, reader.TokenType)));
                            property = properties.Count - 1;
                            pendingName = (-1, -1);
                        }

                        open.Push((start, reader.TokenType, property));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        var (openedAt, kind, index) = open.Pop();
                        var container = new Span(openedAt, end, kind);
                        values.Add(container);
                        if (index >= 0)
                        {
                            properties[index] = properties[index] with { Value = container };
                        }

                        break;
                    default:
                        var value = new Span(start, end, reader.TokenType);
                        values.Add(value);
                        if (reader.TokenType == JsonTokenType.String)
                        {
                            strings.Add(new Span(start + 1, end - 1, JsonTokenType.String));
                        }

                        if (pendingName.Start >= 0)
                        {
                            properties.Add(new Property(pendingName.Start, pendingName.End, value));
                            pendingName = (-1, -1);
                        }

                        break;
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return values.Count == 0 ? null : new JsonSkeleton(values, properties, strings);
    }

    private static int AfterClosingQuote(byte[] json, int openingQuote)
    {
        var i = openingQuote + 1;
        while (json[i] != (byte)'"')
        {
            i += json[i] == (byte)'\\' ? 2 : 1;
        }

        return i + 1;
    }

    /// <summary>Bytes [Start, End) of one token or container.</summary>
    public readonly record struct Span(int Start, int End, JsonTokenType Kind)
    {
        public int Length => End - Start;
    }

    /// <summary>A member: the key with its quotes at [NameStart, NameEnd), then its value.</summary>
    public readonly record struct Property(int NameStart, int NameEnd, Span Value);
}
