using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Email;

/// <summary>
/// The tag keys that decide who is told about a group (configured under <c>Notify</c>); a mail warns loudly when a
/// change touches them, since whoever edits them redirects or silences the notifications.
/// </summary>
public sealed record RoutingTagKeys(string NotifyOnChange = "NotifyOnChange", string OwnerDl = "OwnerDL")
{
    public static RoutingTagKeys Default { get; } = new();

    // Case-insensitive on purpose: a key that differs only in case is the same trick and deserves the same warning.
    public bool IsRoutingTag(TagChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return string.Equals(change.Key, NotifyOnChange, StringComparison.OrdinalIgnoreCase) ||
               string.Equals(change.Key, OwnerDl, StringComparison.OrdinalIgnoreCase);
    }
}
