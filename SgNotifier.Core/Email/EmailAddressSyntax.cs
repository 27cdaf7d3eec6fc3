using MimeKit;

namespace SgNotifier.Core.Email;

internal static class EmailAddressSyntax
{
    /// <summary><c>local@domain</c> and nothing else: no display name, no angle brackets, no spaces or controls.</summary>
    public static bool IsPlainAddress(string? value) =>
        !string.IsNullOrEmpty(value) &&
        !value.Any(static c => char.IsWhiteSpace(c) || char.IsControl(c)) &&
        MailboxAddress.TryParse(value, out var mailbox) &&
        string.IsNullOrEmpty(mailbox.Name) &&
        mailbox.Address == value &&
        value.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < value.Length - 1;
}
