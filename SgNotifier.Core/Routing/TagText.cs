using System.Globalization;
using System.Text;

namespace SgNotifier.Core.Routing;

/// <summary>
/// How routing reads tag keys and values: format characters (Unicode Cf: zero-width spaces and joiners, bidi
/// controls, soft hyphens, …) removed and surrounding whitespace trimmed. Without it, <c>Yes</c> + U+200B no longer
/// opts a group in and <c>Owner</c>+U+200B+<c>DL</c> is no longer the owner tag, while both read the same to a person.
/// </summary>
public static class TagText
{
    public static string Normalize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var format = CharUnicodeInfo.GetUnicodeCategory(value, i) == UnicodeCategory.Format;
            if (format && builder is null)
            {
                builder = new StringBuilder(value.Length).Append(value, 0, i);
            }

            if (!format)
            {
                builder?.Append(value[i]);
            }
        }

        return (builder?.ToString() ?? value).Trim();
    }

    /// <summary>Tag keys match after <see cref="Normalize"/> and ignoring case: <c>ownerdl</c> is the same trick as <c>OwnerDL</c>.</summary>
    public static bool KeyIs(string key, string wanted)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(wanted);
        return string.Equals(Normalize(key), wanted, StringComparison.OrdinalIgnoreCase);
    }
}
