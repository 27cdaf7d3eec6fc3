namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// The security group a call touched. <see cref="GroupId"/> is null only when the call named the group by name (default
/// VPC) and the response did not give its id; then the group is known by <see cref="GroupName"/> alone.
/// </summary>
public sealed record CloudTrailGroupRef(
    string AccountId,
    string Region,
    string? GroupId,
    string? GroupName,
    string? VpcId);
