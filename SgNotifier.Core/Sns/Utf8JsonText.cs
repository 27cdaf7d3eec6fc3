using System.Text.Unicode;

namespace SgNotifier.Core.Sns;

/// <summary>
/// Whether JSON bytes are text every string of which can be read. <see cref="System.Text.Json.Utf8JsonReader"/> checks
/// the grammar but not the encoding inside strings: invalid UTF-8 (overlong forms, encoded surrogates, stray
/// continuation bytes) and <c>\uXXXX</c> escapes that leave a lone surrogate only fail later, when a string is read,
/// with an <see cref="InvalidOperationException"/>. Checking the whole input first turns both into a decision.
/// Used for the SNS body and for every message parsed behind it.
/// </summary>
internal static class Utf8JsonText
{
    /// <summary>Why <paramref name="json"/> cannot be read as text, or null when it can.</summary>
    public static string? Problem(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return "is not valid UTF-8";
        }

        return HasLoneSurrogateEscape(json) ? "has a \\u escape that leaves a lone surrogate" : null;
    }

    /// <summary>
    /// True when an escape decodes to a surrogate that is not half of a pair (<c>\uD800</c> not followed by
    /// <c>\uDC00</c>–<c>\uDFFF</c>, or a low half alone). Backslashes outside strings are a grammar error the reader
    /// reports anyway, so escapes are consumed in pairs from the start without tracking string boundaries.
    /// </summary>
    private static bool HasLoneSurrogateEscape(ReadOnlySpan<byte> json)
    {
        var i = json.IndexOf((byte)'\\');
        if (i < 0)
        {
            return false;
        }

        while (i < json.Length)
        {
            if (json[i] != (byte)'\\')
            {
                var next = json[i..].IndexOf((byte)'\\');
                if (next < 0)
                {
                    return false;
                }

                i += next;
            }

            if (!TryReadUnit(json, i, out var unit))
            {
                // Any other escape (\\, \", \n …) is two bytes; a malformed one is the reader's to report.
                i += 2;
                continue;
            }

            if (char.IsLowSurrogate(unit))
            {
                return true;
            }

            if (char.IsHighSurrogate(unit))
            {
                if (!TryReadUnit(json, i + 6, out var low) || !char.IsLowSurrogate(low))
                {
                    return true;
                }

                i += 12;
                continue;
            }

            i += 6;
        }

        return false;
    }

    /// <summary>Reads <c>\uXXXX</c> at <paramref name="at"/>.</summary>
    private static bool TryReadUnit(ReadOnlySpan<byte> json, int at, out char unit)
    {
        unit = '\0';
        if (at + 6 > json.Length || json[at] != (byte)'\\' || json[at + 1] != (byte)'u')
        {
            return false;
        }

        var value = 0;
        for (var k = at + 2; k < at + 6; k++)
        {
            var digit = HexValue(json[k]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        unit = (char)value;
        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
