using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Ledger;

/// <summary>
/// Where an entry lives. The parts come from AWS and SNS, so they may hold characters that Table Storage forbids in
/// keys (<c>/ \ # ?</c>, control characters) or exceed its 1 KiB limit: the PartitionKey is a SHA-256 of the
/// length-prefixed parts (so <c>a/b</c>+<c>c</c> and <c>a</c>+<c>b/c</c> differ), and the RowKey names the kind.
/// One entry per partition spreads the load; the original text is kept in the entry for people.
/// </summary>
internal readonly record struct LedgerKey(string PartitionKey, string RowKey)
{
    public const string ChangeKind = "change";
    public const string MessageKind = "message";
    public const string AtomKind = "atom";
    public const string GroupKind = "group";

    public bool IsChange => RowKey == ChangeKind;

    public static LedgerKey ForMessage(string messageId) => new(Hash(MessageKind, [messageId]), MessageKind);

    /// <summary>One fact of a change (<c>ChangeAtoms</c>) and the reports that mailed it (<see cref="IChangeCoverage"/>).</summary>
    public static LedgerKey ForAtom(string atom) => new(Hash(AtomKind, [atom]), AtomKind);

    /// <summary>Config keys hash exactly as they always have (rows written before CloudTrail existed stay valid); other sources add their name.</summary>
    public static LedgerKey ForChange(ChangeKey key) => key.Source == ChangeSource.Config
        ? new(Hash(ChangeKind, [key.AccountId, key.Region, key.ResourceId, key.Version]), ChangeKind)
        : new(Hash(ChangeKind, [key.AccountId, key.Region, key.ResourceId, key.Version, key.Source.Name()]), ChangeKind);

    /// <summary>A group directory entry (its own table): one per account, region and group id.</summary>
    public static LedgerKey ForGroup(string accountId, string region, string groupId) =>
        new(Hash(GroupKind, [accountId, region, groupId]), GroupKind);

    private static string Hash(string kind, string[] parts)
    {
        var text = new StringBuilder(kind);
        foreach (var part in parts)
        {
            text.Append('\n').Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
