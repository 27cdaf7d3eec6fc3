namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// A security group's <c>configurationItemDiff</c>, sorted by what the <c>changedProperties</c> keys touch.
/// Keys are positional (<c>Configuration.IpPermissions.0</c>) but positions do not match the item's lists,
/// so only the values matter.
/// </summary>
/// <param name="ChangeType">CREATE, UPDATE or DELETE (upper case), or null when absent.</param>
/// <param name="Configuration">The whole-configuration key (<c>Configuration</c>), which Config sends for deleted resources.</param>
/// <param name="OtherChangedProperties">Names of keys that do not affect rules or tags (e.g. <c>Relationships.0</c>).</param>
public sealed record ConfigurationItemDiff(
    string? ChangeType,
    IReadOnlyList<PermissionChange> PermissionChanges,
    IReadOnlyList<TagPropertyChange> TagChanges,
    ConfigurationChange? Configuration,
    IReadOnlyList<string> OtherChangedProperties);
