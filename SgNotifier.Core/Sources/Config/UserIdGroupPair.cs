namespace SgNotifier.Core.Sources.Config;

/// <summary>A security group referenced as a peer; <c>UserId</c> is the account that owns it.</summary>
public sealed record UserIdGroupPair(
    string? GroupId,
    string? GroupName,
    string? UserId,
    string? Description,
    string? VpcId,
    string? PeeringStatus);
