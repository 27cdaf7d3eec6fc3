namespace SgNotifier.Core.Senders;

/// <summary>Addresses as logs may show them: first letter of the local part, then <c>***@domain</c>.</summary>
internal static class AddressMask
{
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "***" : string.Concat(address.AsSpan(0, 1), "***", address.AsSpan(at));
    }

    public static string MaskAll(IEnumerable<string> addresses) => string.Join(", ", addresses.Select(Mask));
}
