using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Sources.Config;

/// <summary>One <c>Configuration.IpPermissions.N</c> or <c>Configuration.IpPermissionsEgress.N</c> key.</summary>
/// <param name="ChangeType">The key's own CREATE, UPDATE or DELETE, when present.</param>
public sealed record PermissionChange(
    string Name,
    RuleDirection Direction,
    string? ChangeType,
    IReadOnlyList<IpPermission> PreviousValue,
    IReadOnlyList<IpPermission> UpdatedValue);
