using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SgNotifier.Tests.Fuzz;

/// <summary>
/// Mutations of a real JSON payload, in its raw bytes: the byte-level damage a network or a hostile sender can do, and
/// structure-aware edits that keep the text JSON (or nearly) so the parsers behind the envelope are reached.
/// Deterministic for a given <see cref="Random"/>.
/// </summary>
internal static class JsonMutator
{
    /// <summary>Byte sequences that are not valid UTF-8, or that decode to something a parser may not expect.</summary>
    public static readonly byte[][] BadUtf8 =
    [
        [0x80],                         // stray continuation byte
        [0xBF, 0xBF],
        [0xC0, 0x80],                   // overlong NUL
        [0xC0, 0xAF],                   // overlong '/'
        [0xC1, 0xBF],                   // overlong
        [0xE0, 0x80, 0xAF],             // overlong '/' in three bytes
        [0xF0, 0x80, 0x80, 0xAF],       // overlong '/' in four bytes
        [0xED, 0xA0, 0x80],             // UTF-8-encoded high surrogate (CESU)
        [0xED, 0xBF, 0xBF],             // UTF-8-encoded low surrogate
        [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80], // an encoded surrogate pair
        [0xF4, 0x90, 0x80, 0x80],       // above U+10FFFF
        [0xF5, 0x80, 0x80, 0x80],
        [0xFE], [0xFF], [0xC3],         // never valid / truncated two-byte
        [0xE2, 0x82],                   // truncated three-byte
        [0xF0, 0x9F, 0x98],             // truncated four-byte
        [0xC3, 0x28],                   // lead byte then ASCII
        [0x00],                         // raw NUL (a control character, invalid in a JSON string)
        [0xEF, 0xBB, 0xBF],             // a byte order mark in the middle
    ];

    /// <summary>Escapes that are grammatical JSON but decode to a lone surrogate, a NUL, or other edge characters.</summary>
    public static readonly string[] EdgeEscapes =
    [
        "\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud800\\u0041", "\\udc00\\ud800", "\\ud800\\ud800",
        "\\ud800\\\\udc00", "\\u0000", "\\u0000\\u0000", "\\ud83d\\ude00", "\\ufffe", "\\uffff", "\\u2028", "\\u001f",
        "\\uD800", "\\uDFFF\\uD800", "\\ud800x", "\\u00e9", "\\\\", "\\\"", "\\/",
    ];

    /// <summary>What a value can be swapped to: other JSON types, edge numbers, and strings a parser may read as numbers.</summary>
    public static readonly string[] Replacements =
    [
        "null", "true", "false", "0", "-1", "1", "-0", "0.5", "65535", "65536", "-2", "4294967296", "9223372036854775808",
        "-9223372036854775809", "1e308", "1e309", "-1e309", "1.7976931348623157e308", "1e-400", "5e-324", "123456789012345678901234567890",
        new string('9', 400), "1E+2", "\"\"", "\" \"", "\"x\"", "\"0\"", "\"-1\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        "\"1e999\"", "\"65536\"", "\"tcp\"", "\"-1\"", "\"0.0.0.0/0\"", "\"::/0\"", "\"Yes\"", "\"a@example.com\"",
        "\"AWS::EC2::SecurityGroup\"", "\"ConfigurationItemChangeNotification\"", "\"OversizedConfigurationItemChangeNotification\"",
        "\"Notification\"", "\"SubscriptionConfirmation\"", "\"2024-02-30T25:61:61Z\"", "\"9999-12-31T23:59:59.999Z\"",
        "[]", "{}", "[null]", "[1]", "[\"x\"]", "[{}]", "{\"a\":1}", "[[]]", "{\"key\":\"k\",\"value\":\"v\"}",
        "NaN", "Infinity", "-Infinity", "undefined", "0x10", "+1", ".5", "01",
    ];

    /// <summary>One to three mutations of <paramref name="seed"/>; <paramref name="description"/> names them for a failure message.</summary>
    public static byte[] Mutate(byte[] seed, Random random, out string description)
    {
        var current = seed;
        var names = new List<string>(3);
        var count = random.Next(10) switch
        {
            < 7 => 1,
            < 9 => 2,
            _ => 3,
        };
        for (var i = 0; i < count; i++)
        {
            current = MutateOnce(current, random, out var name);
            names.Add(name);
        }

        description = string.Join(" + ", names);
        return current;
    }

    /// <summary>The value at one path replaced by <paramref name="replacement"/> (the systematic sweep of every path).</summary>
    public static byte[] ReplaceValue(byte[] json, JsonSkeleton.Span value, string replacement) =>
        Splice(json, value.Start, value.Length, Encoding.UTF8.GetBytes(replacement));

    private static byte[] MutateOnce(byte[] json, Random random, out string name)
    {
        var skeleton = random.Next(4) == 0 ? null : JsonSkeleton.TryScan(json);
        if (skeleton is not null)
        {
            switch (random.Next(12))
            {
                case 0 or 1:
                    var value = Pick(skeleton.Values, random);
                    var replacement = Pick(Replacements, random);
                    name = $"type-swap@{value.Start}:{Short(replacement)}";
                    return ReplaceValue(json, value, replacement);
                case 2 when skeleton.Properties.Count > 0:
                    var duplicated = Pick(skeleton.Properties, random);
                    name = $"duplicate-key@{duplicated.NameStart}";
                    return Insert(json, duplicated.Value.End, [(byte)',', .. json.AsSpan(duplicated.NameStart, duplicated.Value.End - duplicated.NameStart)]);
                case 3 when skeleton.Properties.Count > 0:
                    var variant = Pick(skeleton.Properties, random);
                    var key = json.AsSpan(variant.NameStart, variant.NameEnd - variant.NameStart).ToArray();
                    FlipCase(key, random);
                    name = $"case-variant-key@{variant.NameStart}";
                    return random.Next(2) == 0
                        ? Splice(json, variant.NameStart, key.Length, key)
                        : Insert(json, variant.Value.End, [(byte)',', .. key, (byte)':', .. json.AsSpan(variant.Value.Start, variant.Value.Length)]);
                case 4:
                    var nested = Pick(skeleton.Values, random);
                    var depth = Pick([10, 63, 64, 65, 100, 1_000, 10_000], random);
                    name = $"deep-nesting@{nested.Start}:{depth}";
                    return ReplaceValue(json, nested, Nesting(depth, random.Next(2) == 0));
                case 5 when skeleton.Strings.Count > 0:
                    var inString = Pick(skeleton.Strings, random);
                    var at = inString.Start + random.Next(inString.Length + 1);
                    if (random.Next(2) == 0)
                    {
                        var bad = Pick(BadUtf8, random);
                        name = $"bad-utf8-in-string@{at}:{Convert.ToHexString(bad)}";
                        return Insert(json, at, bad);
                    }

                    var escape = Pick(EdgeEscapes, random);
                    name = $"escape-in-string@{at}:{escape}";
                    return Insert(json, at, Encoding.ASCII.GetBytes(escape));
                case 6 when skeleton.Properties.Count > 0:
                    var removed = Pick(skeleton.Properties, random);
                    name = $"remove-member@{removed.NameStart}";
                    return RemoveMember(json, removed);
                case 7 when skeleton.Strings.Count > 0:
                    var text = Pick(skeleton.Strings, random);
                    var content = random.Next(3) switch
                    {
                        0 => new string('A', Pick([1_000, 70_000, 300_000], random)),
                        1 => string.Concat(Enumerable.Repeat("\\u00e9\\\"\\\\", random.Next(1, 2_000))),
                        _ => Pick(["", " ", "\\n", "<script>", "${x}", "{{ x }}", "%s%n", "../../etc/passwd", "a@b", "AWS::EC2::Instance", "sg-0", "arn:aws:sns:us-east-1:1:t"], random),
                    };
                    name = $"string-content@{text.Start}:{content.Length}";
                    return Splice(json, text.Start, text.Length, Encoding.UTF8.GetBytes(content));
                case 8:
                    var arrays = skeleton.Values.Where(static v => v.Kind == JsonTokenType.StartArray && v.Length > 2).ToList();
                    if (arrays.Count > 0)
                    {
                        var array = Pick(arrays, random);
                        var inner = json.AsSpan(array.Start + 1, array.Length - 2).ToArray();

                        // Bounded like a body (a few hundred KB): the point is many rules, not a slow parse of megabytes.
                        var copies = Math.Min(Pick([2, 10, 500], random), Math.Max(2, 400_000 / inner.Length));
                        var repeated = string.Join(",", Enumerable.Repeat(Encoding.UTF8.GetString(inner), copies));
                        name = $"repeat-array@{array.Start}x{copies}";
                        return Splice(json, array.Start + 1, inner.Length, Encoding.UTF8.GetBytes(repeated));
                    }

                    break;
                case 9:
                    var number = skeleton.Values.Where(static v => v.Kind == JsonTokenType.Number).ToList();
                    var target = number.Count > 0 ? Pick(number, random) : Pick(skeleton.Values, random);
                    var huge = Pick(["1e309", "-1e309", "1e-400", new string('9', 5_000), "NaN", "Infinity", "-Infinity", "1.0e+2147483648", "0.0000000000000000000001", "-0.0"], random);
                    name = $"huge-number@{target.Start}:{Short(huge)}";
                    return ReplaceValue(json, target, huge);
            }
        }

        switch (random.Next(8))
        {
            case 0:
                var bit = random.Next(json.Length * 8 + 1);
                name = $"bit-flip@{bit}";
                return json.Length == 0 ? json : FlipBit(json, bit % (json.Length * 8));
            case 1:
                var position = random.Next(json.Length + 1);
                name = $"truncate@{position}";
                return json[..position];
            case 2:
                var insertAt = random.Next(json.Length + 1);
                var bytes = Pick(BadUtf8, random);
                name = $"bad-utf8@{insertAt}:{Convert.ToHexString(bytes)}";
                return Insert(json, insertAt, bytes);
            case 3:
                var setAt = random.Next(Math.Max(1, json.Length));
                var value = (byte)Pick([0x00, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x80, 0xC0, 0xFF, random.Next(256)], random);
                name = $"set-byte@{setAt}:{value:X2}";
                return json.Length == 0 ? [value] : Splice(json, setAt, 1, [value]);
            case 4:
                var from = random.Next(json.Length + 1);
                var length = random.Next(Math.Min(64, json.Length - from) + 1);
                name = $"delete@{from}+{length}";
                return Splice(json, from, length, []);
            case 5:
                var start = random.Next(json.Length + 1);
                var slice = json.AsSpan(start, random.Next(Math.Min(256, json.Length - start) + 1)).ToArray();
                name = $"duplicate-range@{start}+{slice.Length}";
                return Insert(json, start, slice);
            case 6:
                var wrap = random.Next(3);
                name = $"wrap:{wrap}";
                return wrap switch
                {
                    0 => [0xEF, 0xBB, 0xBF, .. json],
                    1 => [.. json, .. "{}"u8],
                    _ => [.. "["u8, .. json, .. "]"u8],
                };
            default:
                var escapeAt = random.Next(json.Length + 1);
                var escape = Pick(EdgeEscapes, random);
                name = $"escape@{escapeAt}:{escape}";
                return Insert(json, escapeAt, Encoding.ASCII.GetBytes(escape));
        }
    }

    private static string Nesting(int depth, bool arrays)
    {
        var builder = new StringBuilder(depth * 6);
        for (var i = 0; i < depth; i++)
        {
            builder.Append(arrays ? "[" : "{\"a\":");
        }

        builder.Append('1');
        for (var i = 0; i < depth; i++)
        {
            builder.Append(arrays ? ']' : '}');
        }

        return builder.ToString();
    }

    private static byte[] RemoveMember(byte[] json, JsonSkeleton.Property member)
    {
        // Take the comma after the member, or else the one before it, so the object stays grammatical.
        var end = member.Value.End;
        var after = end;
        while (after < json.Length && json[after] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            after++;
        }

        if (after < json.Length && json[after] == (byte)',')
        {
            return Splice(json, member.NameStart, after + 1 - member.NameStart, []);
        }

        var before = member.NameStart - 1;
        while (before >= 0 && json[before] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            before--;
        }

        return before >= 0 && json[before] == (byte)','
            ? Splice(json, before, end - before, [])
            : Splice(json, member.NameStart, end - member.NameStart, []);
    }

    private static void FlipCase(byte[] quotedKey, Random random)
    {
        var flipped = false;
        for (var i = 1; i < quotedKey.Length - 1; i++)
        {
            if (char.IsAsciiLetter((char)quotedKey[i]) && (random.Next(2) == 0 || (!flipped && i == quotedKey.Length - 2)))
            {
                quotedKey[i] ^= 0x20;
                flipped = true;
            }
        }
    }

    private static byte[] FlipBit(byte[] json, int bit)
    {
        var copy = (byte[])json.Clone();
        copy[bit / 8] ^= (byte)(1 << (bit % 8));
        return copy;
    }

    private static byte[] Insert(byte[] json, int at, ReadOnlySpan<byte> bytes) => Splice(json, at, 0, bytes);

    private static byte[] Splice(byte[] json, int at, int remove, ReadOnlySpan<byte> bytes)
    {
        var result = new byte[json.Length - remove + bytes.Length];
        json.AsSpan(0, at).CopyTo(result);
        bytes.CopyTo(result.AsSpan(at));
        json.AsSpan(at + remove).CopyTo(result.AsSpan(at + bytes.Length));
        return result;
    }

    private static T Pick<T>(IReadOnlyList<T> items, Random random) => items[random.Next(items.Count)];

    private static string Short(string text) =>
        text.Length <= 24 ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..20]}…({text.Length})");
}
