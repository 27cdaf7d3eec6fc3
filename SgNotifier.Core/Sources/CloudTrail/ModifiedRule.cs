using SgNotifier.Core.Diff;

namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// One rule's new value from <c>ModifySecurityGroupRules</c>. The call names neither the direction nor the old value:
/// both come from prior state (the group directory or <c>DescribeSecurityGroupRules</c>), never from guessing.
/// Fields are normalised exactly as <see cref="SecurityGroupRule"/>'s.
/// </summary>
public sealed record ModifiedRule(
    string RuleId,
    string Protocol,
    int? FromPort,
    int? ToPort,
    string Peer,
    string? Description)
{
    public SecurityGroupRule WithDirection(RuleDirection direction) =>
        new(direction, Protocol, FromPort, ToPort, Peer, Description);
}
