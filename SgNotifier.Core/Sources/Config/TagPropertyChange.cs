namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// One tag key of <c>changedProperties</c>: <c>Configuration.Tags.N</c> (security groups),
/// <c>SupplementaryConfiguration.Tags</c>, <c>SupplementaryConfiguration.Tags.N</c> or <c>Configuration.TagSet.N</c>.
/// </summary>
/// <param name="PreviousValue">The tags the value held before (empty when created).</param>
/// <param name="UpdatedValue">The tags the value holds now (empty when deleted).</param>
public sealed record TagPropertyChange(
    string Name,
    IReadOnlyDictionary<string, string> PreviousValue,
    IReadOnlyDictionary<string, string> UpdatedValue);
