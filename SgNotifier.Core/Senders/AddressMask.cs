using System.Text.RegularExpressions;

namespace SgNotifier.Core.Senders;

/// <summary>Addresses as logs may show them: first letter of the local part, then <c>***@domain</c>.</summary>
internal static partial class AddressMask
{
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "***" : string.Concat(address.AsSpan(0, 1), "***", address.AsSpan(at));
    }

    public static string MaskAll(IEnumerable<string> addresses) => string.Join(", ", addresses.Select(Mask));

    /// <summary>
    /// Free text (a provider's error message, e.g. SES's "Email address is not verified: a@b.example") with every
    /// address in it masked, so it can be logged and stored.
    /// </summary>
    public static string? MaskText(string? text) =>
        text is null || !text.Contains('@', StringComparison.Ordinal) ? text : AddressPattern().Replace(text, static m => Mask(m.Value));

    // Generous on purpose: anything that looks like local@domain, including quoted or bracketed forms' insides.
    [GeneratedRegex(@"[^\s<>""'(),;:\[\]@]+@[^\s<>""'(),;:\[\]@]+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex AddressPattern();
}
