namespace SgNotifier.Core.Routing;

public sealed record SecurityGroupIdentity(
    string Id,
    string? Name,
    string AccountId,
    string Region,
    string? VpcId,
    string? Arn);
