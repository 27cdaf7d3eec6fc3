namespace SgNotifier.Core.Routing;

/// <summary>
/// Reads owner addresses from a tag value. AWS tag values cannot contain commas in every service, so owners
/// separate addresses with spaces; commas and semicolons are accepted too. Validation is deliberately strict:
/// a bare <c>local@domain.tld</c>, nothing an SMTP server or a mail header could read two ways.
/// </summary>
public static class RecipientParser
{
    public const string InvalidAddress = "invalid-address";
    public const string DomainNotAllowed = "domain-not-allowed";

    /// <summary>A valid address beyond <c>Notify:MaxRecipientsPerTag</c> or <c>Notify:MaxRecipients</c>.</summary>
    public const string TooManyRecipients = "too-many-recipients";

    private const string LocalPartSymbols = "!#$%&'*+/=?^_`{|}~-.";

    public static RecipientList Parse(string? value, IReadOnlyCollection<string>? allowedDomains)
    {
        var valid = new SortedSet<string>(StringComparer.Ordinal);
        var rejected = new List<RejectedRecipient>();
        if (string.IsNullOrWhiteSpace(value))
        {
            return new RecipientList([], []);
        }

        foreach (var (token, reason) in Tokens(value, allowedDomains))
        {
            if (reason is null)
            {
                valid.Add(token);
            }
            else if (!rejected.Exists(r => string.Equals(r.Address, token, StringComparison.Ordinal)))
            {
                rejected.Add(new RejectedRecipient(token, reason));
            }
        }

        return new RecipientList([.. valid], rejected);
    }

    /// <summary>
    /// Every token of <paramref name="value"/> in the order written, with null or the reason it cannot receive mail;
    /// valid addresses are lower-cased. The order lets a cap keep the first addresses an owner wrote.
    /// </summary>
    public static IEnumerable<(string Token, string? Reason)> Tokens(string? value, IReadOnlyCollection<string>? allowedDomains)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            yield break;
        }

        foreach (var token in Split(value))
        {
            var reason = Check(token, allowedDomains);
            yield return (reason is null ? token.ToLowerInvariant() : token, reason);
        }
    }

    /// <summary>Null when <paramref name="token"/> may receive mail, else the kebab-case reason.</summary>
    public static string? Check(string token, IReadOnlyCollection<string>? allowedDomains)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!IsValidAddress(token))
        {
            return InvalidAddress;
        }

        if (allowedDomains is { Count: > 0 } && !allowedDomains.Contains(NotifyOptions.AnyDomain))
        {
            var domain = token[(token.IndexOf('@', StringComparison.Ordinal) + 1)..];
            var allowed = allowedDomains.Any(d =>
                string.Equals(domain, d, StringComparison.OrdinalIgnoreCase) ||
                domain.EndsWith("." + d, StringComparison.OrdinalIgnoreCase));
            if (!allowed)
            {
                return DomainNotAllowed;
            }
        }

        return null;
    }

    /// <summary>A bare ASCII address: one <c>@</c>, a dot-atom local part, a dotted domain of DNS labels.</summary>
    public static bool IsValidAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Length is < 6 or > 254)
        {
            return false;
        }

        foreach (var c in address)
        {
            // Rejects CR/LF and every other control or space character, non-ASCII, and <>"(),:;[]\ (display names, quoting, comments).
            if (c is < '!' or > '~' || !(char.IsAsciiLetterOrDigit(c) || c == '@' || LocalPartSymbols.Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        var at = address.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != address.LastIndexOf('@'))
        {
            return false;
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        return IsDotAtom(local) && local.Length <= 64 && IsDomain(domain);
    }

    private static bool IsDotAtom(string local) =>
        local.Length > 0 && local[0] != '.' && local[^1] != '.' && !local.Contains("..", StringComparison.Ordinal);

    private static bool IsDomain(string domain)
    {
        var labels = domain.Split('.');
        if (labels.Length < 2 || domain.Length > 253)
        {
            return false;
        }

        foreach (var label in labels)
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-' ||
                !label.All(static c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            {
                return false;
            }
        }

        // A top-level domain is never all digits: that would be an IP address.
        return labels[^1].Any(char.IsAsciiLetter);
    }

    private static IEnumerable<string> Split(string value)
    {
        var start = -1;
        for (var i = 0; i <= value.Length; i++)
        {
            var separator = i == value.Length || char.IsWhiteSpace(value[i]) || value[i] is ',' or ';';
            if (!separator && start < 0)
            {
                start = i;
            }
            else if (separator && start >= 0)
            {
                yield return value[start..i];
                start = -1;
            }
        }
    }
}
