using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;

namespace SgNotifier.Core.Config;

/// <summary>Describes a security group's current tags and rules with EC2 <c>DescribeSecurityGroups</c>, in the group's own account and region.</summary>
public sealed class Ec2SecurityGroupLookup : IDisposable
{
    private readonly AwsClients clients;
    private readonly bool ownsClients;

    public Ec2SecurityGroupLookup(AwsClients clients)
    {
        this.clients = clients ?? throw new ArgumentNullException(nameof(clients));
    }

    /// <param name="credentials">Null for the SDK's default credential chain.</param>
    internal Ec2SecurityGroupLookup(AwsOptions options, AWSCredentials? credentials)
    {
        clients = new AwsClients(Options.Create(options), new AwsCredentialCache(options, TimeProvider.System, NullLogger<AwsCredentialCache>.Instance, null, credentials));
        ownsClients = true;
    }

    public async Task<AwsLookupResult<SecurityGroupConfiguration>> DescribeAsync(string accountId, string groupId, string region, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(region);
        DescribeSecurityGroupsResponse response;
        try
        {
            var lease = await clients.Ec2Async(accountId, region, cancellationToken);
            if (lease.Client is not { } client)
            {
                var unavailable = "EC2 DescribeSecurityGroups not tried: " + lease.Problem;
                return lease.Transient
                    ? AwsLookupResult<SecurityGroupConfiguration>.Transient(unavailable)
                    : AwsLookupResult<SecurityGroupConfiguration>.Permanent(unavailable);
            }

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

    public void Dispose()
    {
        if (ownsClients)
        {
            clients.Credentials.Dispose();
            clients.Dispose();
        }
    }
}
