using System.Globalization;
using System.Text;
using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Email;

/// <summary>How values from AWS are made safe to show, and how rules read in a mail.</summary>
internal static class MailText
{
    /// <summary>
    /// One line of untrusted text for a body: control characters (CR, LF, TAB, …) become spaces so a value cannot forge
    /// lines of the text body, and bidirectional overrides/isolates become U+FFFD so they cannot reorder what the reader
    /// sees (the "Trojan Source" trick) while still showing that something was there. HTML escaping is the template
    /// encoder's job, not this one's.
    /// </summary>
    public static string? Body(string? value)
    {
        if (value is null)
        {
            return null;
        }

        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            char? replacement = char.IsControl(c) ? ' ' : IsBidiControl(c) ? '\uFFFD' : null;
            if (replacement is null)
            {
                builder?.Append(c);
                continue;
            }

            builder ??= new StringBuilder(value.Length).Append(value, 0, i);
            builder.Append(replacement.Value);
        }

        return builder?.ToString() ?? value;
    }

    /// <summary>
    /// Untrusted text with every character a reader could not see or tell apart written as <c>&lt;U+XXXX&gt;</c>:
    /// control and format characters (zero-width spaces and joiners, bidi controls), separators other than the
    /// space, combining marks, unassigned and private-use code points, and blank-looking letters (Hangul fillers,
    /// the braille blank). With <paramref name="nonAscii"/>, every non-ASCII character too: routing tag values are
    /// plain ASCII when genuine (<c>Yes</c>, addresses), so a Cyrillic <c>е</c> in one is a lookalike.
    /// </summary>
    public static string? Visible(string? value, bool nonAscii)
    {
        if (value is null)
        {
            return null;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var rune in value.EnumerateRunes())
        {
            if (IsHidden(rune) || (nonAscii && rune.Value > 0x7E))
            {
                builder.Append(CultureInfo.InvariantCulture, $"<U+{rune.Value:X4}>");
            }
            else
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    private static bool IsHidden(Rune rune) =>
        rune.Value is 0x115F or 0x1160 or 0x3164 or 0xFFA0 or 0x2800 or 0x180E or 0xFEFF or 0xFFFC ||
        (rune.Value != ' ' && Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.PrivateUse or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned);

    /// <summary>
    /// Subject text: control, format (bidi, zero-width) and line/paragraph separator characters removed, whitespace
    /// runs collapsed, trimmed.
    /// </summary>
    public static string Subject(string value)
    {
        var builder = new StringBuilder(value.Length);
        var pendingSpace = false;
        foreach (var rune in value.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned)
            {
                // A line break between two words still separates them.
                pendingSpace |= rune.Value is '\r' or '\n' or '\t';
                continue;
            }

            if (Rune.IsWhiteSpace(rune))
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace && builder.Length > 0)
            {
                builder.Append(' ');
            }

            pendingSpace = false;
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    /// <summary>Cuts at <paramref name="max"/> characters with an ellipsis, never inside a surrogate pair.</summary>
    public static string Truncate(string value, int max)
    {
        if (value.Length <= max)
        {
            return value;
        }

        var cut = max - 1;
        if (char.IsLowSurrogate(value[cut]))
        {
            cut--;
        }

        return string.Concat(value.AsSpan(0, cut).TrimEnd(), "…");
    }

    public static string Direction(RuleDirection direction) =>
        direction == RuleDirection.Ingress ? "inbound" : "outbound";

    public static string Protocol(SecurityGroupRule rule) =>
        rule.Protocol == "all" ? "all traffic" : rule.Protocol;

    public static string Ports(SecurityGroupRule rule)
    {
        if (rule.Protocol is "icmp" or "icmpv6")
        {
            return (rule.FromPort, rule.ToPort) switch
            {
                (null or -1, _) => "all",
                (var type, null or -1) => Invariant($"type {type}, any code"),
                (var type, var code) => Invariant($"type {type}, code {code}"),
            };
        }

        return (rule.FromPort, rule.ToPort) switch
        {
            (null or -1, _) or (_, null or -1) => "all",
            (var from, var to) when from == to => Invariant($"{from}"),
            (var from, var to) => Invariant($"{from}-{to}"),
        };
    }

    /// <summary>Short form for a subject: <c>tcp/3389</c>, <c>udp/1000-2000</c>, <c>all traffic</c>, <c>icmp</c>.</summary>
    public static string ShortProtocolAndPorts(SecurityGroupRule rule)
    {
        if (rule.Protocol == "all")
        {
            return "all traffic";
        }

        var ports = Ports(rule);
        return rule.Protocol is "icmp" or "icmpv6" || ports == "all" ? rule.Protocol : rule.Protocol + "/" + ports;
    }

    private static bool IsBidiControl(char c) =>
        c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');

    private static string Invariant(FormattableString value) => value.ToString(CultureInfo.InvariantCulture);
}
