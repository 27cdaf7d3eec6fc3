using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Email;

/// <summary>
/// The tag keys that decide who is told about a group (configured under <c>Notify</c>); a mail warns loudly when a
/// change touches them, since whoever edits them redirects or silences the notifications.
/// </summary>
public sealed record RoutingTagKeys(string NotifyOnChange = "NotifyOnChange", string OwnerDl = "OwnerDL")
{
    public static RoutingTagKeys Default { get; } = new();

    // Case- and invisible-character-insensitive on purpose, as routing reads keys (TagText): a key that differs only
    // in case or by a zero-width space is the same trick and deserves the same warning.
    public bool IsRoutingTag(TagChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return TagText.KeyIs(change.Key, NotifyOnChange) || TagText.KeyIs(change.Key, OwnerDl);
    }
}
