namespace SgNotifier.Tests.Aws;

/// <summary>One EC2 <c>SecurityGroupRule</c>: exactly one of the four peers, as EC2 stores it.</summary>
internal sealed record StubRule(
    string RuleId,
    bool IsEgress,
    string IpProtocol,
    int? FromPort,
    int? ToPort,
    string? CidrIpv4 = null,
    string? CidrIpv6 = null,
    string? PrefixListId = null,
    string? ReferencedGroupId = null,
    string? ReferencedUserId = null,
    string? Description = null);
