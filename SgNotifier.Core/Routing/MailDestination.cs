namespace SgNotifier.Core.Routing;

/// <summary>
/// One message of a change. A change that re-points the owner tag becomes two messages, so the previous owners hear
/// even if the new list is refused by the provider, and nobody's To: line shows addresses from the other list.
/// </summary>
/// <param name="Id">
/// Empty for the first (usually only) message; the ledger claims <c>(change, Id)</c>, so an empty Id keeps the ledger
/// entries of single-message changes exactly as they were.
/// </param>
/// <param name="Recipients">At most <see cref="MailLimits.MaxRecipientsPerMessage"/>: lower-case, distinct, sorted.</param>
/// <param name="AlsoTold">The other messages of the change, for the "who else was told" line (masked addresses).</param>
public sealed record MailDestination(string Id, MailAudience Audience, IReadOnlyList<string> Recipients, string? AlsoTold = null)
{
    public const string NewOwnersId = "new-owners";

    /// <summary>The SNS MessageId this message is claimed under in the ledger.</summary>
    public string LedgerMessageId(string messageId) => Id.Length == 0 ? messageId : messageId + "/" + Id;

    /// <summary>The change key this message is claimed under: the change's own for the first message.</summary>
    public ChangeKey? LedgerChangeKey(ChangeKey? key) =>
        key is null || Id.Length == 0 ? key : key with { Version = key.Version + "/" + Id };
}
