namespace SgNotifier.Core.Sources.Config;

/// <summary>The <c>configuration</c> of an <c>AWS::EC2::SecurityGroup</c> item (also the shape EC2 describes).</summary>
/// <param name="Tags">The <c>configuration.tags</c> list as a map; null when the list is absent.</param>
public sealed record SecurityGroupConfiguration(
    string? GroupId,
    string? GroupName,
    string? Description,
    string? VpcId,
    string? OwnerId,
    IReadOnlyList<IpPermission> IpPermissions,
    IReadOnlyList<IpPermission> IpPermissionsEgress,
    IReadOnlyDictionary<string, string>? Tags);
