namespace SgNotifier.Core.Changes;

/// <summary>
/// A group's whole tag map before and after a change; null means unknown. Routing needs both sides (opting out or
/// re-pointing the owner tag must still reach the owners in charge before), and tag changes are derived from them.
/// </summary>
public sealed record TagState(IReadOnlyDictionary<string, string>? Before, IReadOnlyDictionary<string, string>? After)
{
    /// <summary>Every key: <see cref="UnknownKeys"/> holds it when the change removed every tag and nobody knew them.</summary>
    public const string AnyKey = "*";

    public static readonly TagState Unknown = new(null, null);

    /// <summary>
    /// Keys the change removed whose previous value nobody knows (a CloudTrail <c>DeleteTags</c> of a key alone, on a
    /// group SgNotifier had not seen), or <see cref="AnyKey"/>: routing treats a lost opt-in as possible, never as absent.
    /// </summary>
    public IReadOnlyList<string> UnknownKeys { get; init; } = [];
}
