namespace SgNotifier.Tests.Aws;

/// <summary>A security group as <see cref="AwsApiStub"/>'s EC2 keeps it (seed with <see cref="AwsApiStub.AddGroup"/>).</summary>
internal sealed record StubSecurityGroup(
    string GroupId,
    string GroupName,
    string VpcId,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<StubRule> Rules,
    string Description = "managed by tests");
