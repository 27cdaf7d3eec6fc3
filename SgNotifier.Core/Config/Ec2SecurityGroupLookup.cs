using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Config;

/// <summary>Describes a security group's current tags and rules with EC2 <c>DescribeSecurityGroups</c>, in the group's own region.</summary>
public sealed class Ec2SecurityGroupLookup : IDisposable
{
    private readonly AwsOptions options;
    private readonly AWSCredentials? credentials;
    private readonly ConcurrentDictionary<string, IAmazonEC2> clients = new(StringComparer.Ordinal);

    public Ec2SecurityGroupLookup(IOptions<AwsOptions> options)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), credentials: null)
    {
    }

    /// <param name="credentials">Null for the SDK's default credential chain.</param>
    internal Ec2SecurityGroupLookup(AwsOptions options, AWSCredentials? credentials)
    {
        this.options = options;
        this.credentials = credentials;
    }

    public async Task<AwsLookupResult<SecurityGroupConfiguration>> DescribeAsync(string groupId, string region, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(region);
        DescribeSecurityGroupsResponse response;
        try
        {
            var client = clients.GetOrAdd(region, CreateClient);
            response = await client.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] }, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            var problem = $"EC2 DescribeSecurityGroups failed: {AwsErrorClassifier.Describe(exception)}";
            return AwsErrorClassifier.IsTransient(exception)
                ? AwsLookupResult<SecurityGroupConfiguration>.Transient(problem)
                : AwsLookupResult<SecurityGroupConfiguration>.Permanent(problem);
        }

        var group = response.SecurityGroups?.Find(g => string.Equals(g.GroupId, groupId, StringComparison.Ordinal));
        if (group is null)
        {
            return AwsLookupResult<SecurityGroupConfiguration>.Permanent("EC2 does not describe the group");
        }

        try
        {
            return AwsLookupResult<SecurityGroupConfiguration>.Found(ToConfiguration(group));
        }
        catch (ConfigFormatException exception)
        {
            return AwsLookupResult<SecurityGroupConfiguration>.Permanent($"EC2 described the group oddly: {exception.Message}");
        }
    }

    internal static SecurityGroupConfiguration ToConfiguration(SecurityGroup group)
    {
        // AWSSDK v4 leaves empty collections null.
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in group.Tags ?? [])
        {
            if (!string.IsNullOrEmpty(tag.Key))
            {
                tags[tag.Key] = tag.Value ?? string.Empty;
            }
        }

        return new SecurityGroupConfiguration(
            group.GroupId,
            group.GroupName,
            group.Description,
            group.VpcId,
            group.OwnerId,
            (group.IpPermissions ?? []).Select(ToPermission).ToList(),
            (group.IpPermissionsEgress ?? []).Select(ToPermission).ToList(),
            tags);
    }

    private static IpPermission ToPermission(Amazon.EC2.Model.IpPermission permission) => new(
        string.IsNullOrEmpty(permission.IpProtocol) ? throw new ConfigFormatException("a permission has no protocol") : permission.IpProtocol,
        CheckPort(permission.FromPort),
        CheckPort(permission.ToPort),
        (permission.Ipv4Ranges ?? []).Where(static r => !string.IsNullOrEmpty(r.CidrIp)).Select(static r => new PeerEntry(r.CidrIp, NullIfEmpty(r.Description))).ToList(),
        (permission.Ipv6Ranges ?? []).Where(static r => !string.IsNullOrEmpty(r.CidrIpv6)).Select(static r => new PeerEntry(r.CidrIpv6, NullIfEmpty(r.Description))).ToList(),
        (permission.PrefixListIds ?? []).Where(static p => !string.IsNullOrEmpty(p.Id)).Select(static p => new PeerEntry(p.Id, NullIfEmpty(p.Description))).ToList(),
        (permission.UserIdGroupPairs ?? [])
            .Where(static p => !string.IsNullOrEmpty(p.GroupId) || !string.IsNullOrEmpty(p.GroupName))
            .Select(static p => new UserIdGroupPair(NullIfEmpty(p.GroupId), NullIfEmpty(p.GroupName), NullIfEmpty(p.UserId), NullIfEmpty(p.Description), NullIfEmpty(p.VpcId), NullIfEmpty(p.PeeringStatus)))
            .ToList());

    private static int? CheckPort(int? port) =>
        port is null or (>= -1 and <= 65535) ? port : throw new ConfigFormatException("a port is out of range");

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private IAmazonEC2 CreateClient(string region)
    {
        var config = options.Configure(new AmazonEC2Config(), options.Ec2ServiceUrl, region);
        return credentials is null ? new AmazonEC2Client(config) : new AmazonEC2Client(credentials, config);
    }

    public void Dispose()
    {
        foreach (var client in clients.Values)
        {
            client.Dispose();
        }

        clients.Clear();
    }
}
