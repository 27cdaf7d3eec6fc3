// TEMPORARY: stand-ins for the helpers' types until their branches merge. Deleted at merge.
using SgNotifier.Core.Changes;
using SgNotifier.Core.Config;

namespace SgNotifier.Core.Sources.CloudTrail
{
    public static class Ec2Stubs
    {
        extension<T>(AwsLookupResult<T> result) where T : class
        {
            public bool NotFound => false;
        }

        public static Task<AwsLookupResult<GroupState>> DescribeGroupStateAsync(this Ec2SecurityGroupLookup lookup, string accountId, string region, string groupId, CancellationToken cancellationToken) =>
            Task.FromResult(AwsLookupResult<GroupState>.Permanent("stub"));

        public static Task<AwsLookupResult<string>> FindGroupIdByNameAsync(this Ec2SecurityGroupLookup lookup, string accountId, string region, string name, string? vpcId, CancellationToken cancellationToken) =>
            Task.FromResult(AwsLookupResult<string>.Permanent("stub"));
    }
}

namespace SgNotifier.Core.Groups
{
    public sealed class MemoryGroupDirectory : IGroupDirectory
    {
        public Task<GroupState?> GetAsync(string accountId, string region, string groupId, CancellationToken cancellationToken) => Task.FromResult<GroupState?>(null);

        public Task RememberAsync(GroupState state, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

