namespace SgNotifier.Core.Diff;

/// <param name="Before">Null when the tag was added.</param>
/// <param name="After">Null when the tag was removed.</param>
public sealed record TagChange(string Key, string? Before, string? After);
