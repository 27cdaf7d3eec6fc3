namespace SgNotifier.Core.Changes;

/// <summary>
/// A group's whole tag map before and after a change; null means unknown. Routing needs both sides (opting out or
/// re-pointing the owner tag must still reach the owners in charge before), and tag changes are derived from them.
/// </summary>
public sealed record TagState(IReadOnlyDictionary<string, string>? Before, IReadOnlyDictionary<string, string>? After)
{
    public static readonly TagState Unknown = new(null, null);
}
