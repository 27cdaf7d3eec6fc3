using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.Config;
using Ec2Rule = Amazon.EC2.Model.SecurityGroupRule;
using IpPermission = SgNotifier.Core.Sources.Config.IpPermission;
using SecurityGroupRule = SgNotifier.Core.Diff.SecurityGroupRule;
using UserIdGroupPair = SgNotifier.Core.Sources.Config.UserIdGroupPair;

namespace SgNotifier.Core.Aws;

/// <summary>
/// Reads a security group from EC2 in the group's own account and region (<see cref="AwsClients"/>): its tags and rules
/// (<c>DescribeSecurityGroups</c>, <c>DescribeSecurityGroupRules</c>), or its id from its name. Throttling, 5xx and
/// timeouts are transient (the SNS delivery is retried); access denied and the like are permanent; a group that does
/// not exist is a permanent failure marked <see cref="AwsLookupResult{T}.IsNotFound"/>.
/// </summary>
public sealed class Ec2SecurityGroupLookup : IDisposable
{
    /// <summary>The <c>Origin</c> of a <see cref="GroupState"/> read here.</summary>
    public const string Origin = "ec2";

    // EC2 allows at most 1,000 rules each way; ten full pages are more than any real group, and a NextToken loop ends here.
    internal const int MaxRulePages = 10;
    internal const int RulesPageSize = 1000;

    // "The security group does not exist" in its three spellings: by id, by a malformed id, by name.
    private static readonly HashSet<string> NotFoundCodes = new(StringComparer.Ordinal)
    {
        "InvalidGroup.NotFound", "InvalidGroupId.NotFound", "InvalidGroupId.Malformed",
    };

    private readonly AwsClients clients;
    private readonly TimeProvider timeProvider;
    private readonly ILogger<Ec2SecurityGroupLookup> logger;
    private readonly bool ownsClients;

    public Ec2SecurityGroupLookup(AwsClients clients, TimeProvider? timeProvider = null, ILogger<Ec2SecurityGroupLookup>? logger = null)
    {
        this.clients = clients ?? throw new ArgumentNullException(nameof(clients));
        this.timeProvider = timeProvider ?? TimeProvider.System;
        this.logger = logger ?? NullLogger<Ec2SecurityGroupLookup>.Instance;
    }

    /// <param name="credentials">Null for the SDK's default credential chain.</param>
    internal Ec2SecurityGroupLookup(AwsOptions options, AWSCredentials? credentials)
    {
        clients = new AwsClients(Options.Create(options), new AwsCredentialCache(options, TimeProvider.System, NullLogger<AwsCredentialCache>.Instance, null, credentials));
        timeProvider = TimeProvider.System;
        logger = NullLogger<Ec2SecurityGroupLookup>.Instance;
        ownsClients = true;
    }

    /// <summary>
    /// The group as EC2 has it now: name, VPC and tags from <c>DescribeSecurityGroups</c>, the rules with their
    /// <c>sgr-</c> ids from <c>DescribeSecurityGroupRules</c> (paged). When the rules call fails (an older reader role
    /// without <c>ec2:DescribeSecurityGroupRules</c>, throttling, an endpoint without that API) the group's own
    /// permissions serve, without ids. Rules are normalised by <see cref="PermissionFlattener"/>, so they compare equal to Config's.
    /// </summary>
    public async Task<AwsLookupResult<GroupState>> DescribeGroupStateAsync(string accountId, string region, string groupId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(groupId) || groupId.Length > 64)
        {
            return AwsLookupResult<GroupState>.Permanent("EC2 not asked: the group id is empty or too long");
        }

        var ec2 = await ClientAsync<GroupState>(accountId, region, "DescribeSecurityGroups", cancellationToken);
        if (ec2.Client is not { } client)
        {
            return ec2.Failure!;
        }

        var described = await CallAsync<DescribeSecurityGroupsResponse, GroupState>(
            "DescribeSecurityGroups", () => client.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] }, cancellationToken), cancellationToken);
        if (described.Response is not { } response)
        {
            return described.Failure!;
        }

        var group = response.SecurityGroups?.Find(g => string.Equals(g.GroupId, groupId, StringComparison.Ordinal));
        if (group is null)
        {
            // Asked by id, EC2 answers an unknown group with InvalidGroup.NotFound: an empty answer is odd, not proof.
            return AwsLookupResult<GroupState>.Permanent("EC2 does not describe the group");
        }

        var observedAt = timeProvider.GetUtcNow();
        var rules = await DescribeRulesAsync(client, groupId, accountId, cancellationToken);
        if (rules.Failure is { } failure)
        {
            if (failure.IsNotFound)
            {
                return failure;
            }

            // The group itself was described: its tags route the change, and its permissions serve as its rules (without
            // ids). Failing the whole delivery for the ids alone (throttling, or a rules API an endpoint lacks) would
            // trade a mail now for one after SNS's retries.

            logger.Ec2RulesFallback(groupId, accountId, region, failure.Problem ?? "permanent failure");
        }

        try
        {
            var identity = new SecurityGroupIdentity(groupId, NullIfEmpty(group.GroupName), accountId, region, NullIfEmpty(group.VpcId), NullIfEmpty(group.SecurityGroupArn));
            return AwsLookupResult<GroupState>.Found(new GroupState(identity, Tags(group), rules.Rules ?? FlattenPermissions(group, accountId), observedAt, Origin));
        }
        catch (ConfigFormatException exception)
        {
            return AwsLookupResult<GroupState>.Permanent($"EC2 described the group oddly: {exception.Message}");
        }
    }

    /// <summary>
    /// The id of the group named <paramref name="groupName"/>. With <paramref name="vpcId"/>, among that VPC's groups
    /// (filters <c>group-name</c> and <c>vpc-id</c>); without, as EC2 resolves a name-only call (REFERENCE-cloudtrail
    /// §b): <c>GroupName.1</c>, the default VPC's group. Exactly one match, or a failure: never a guess.
    /// </summary>
    public async Task<AwsLookupResult<string>> FindGroupIdByNameAsync(string accountId, string region, string groupName, string? vpcId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(groupName) || groupName.Length > 255)
        {
            return AwsLookupResult<string>.Permanent("EC2 not asked: the group name is empty or longer than 255 characters");
        }

        if (vpcId is { Length: 0 or > 64 })
        {
            return AwsLookupResult<string>.Permanent("EC2 not asked: the VPC id is empty or too long");
        }

        var ec2 = await ClientAsync<string>(accountId, region, "DescribeSecurityGroups", cancellationToken);
        if (ec2.Client is not { } client)
        {
            return ec2.Failure!;
        }

        var request = vpcId is null
            ? new DescribeSecurityGroupsRequest { GroupNames = [groupName] }
            : new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", [groupName]), new Filter("vpc-id", [vpcId])] };
        var described = await CallAsync<DescribeSecurityGroupsResponse, string>(
            "DescribeSecurityGroups", () => client.DescribeSecurityGroupsAsync(request, cancellationToken), cancellationToken);
        if (described.Response is not { } response)
        {
            return described.Failure!;
        }

        // Filters match exactly, but a name is case-sensitive to EC2 and compared so here too.
        var matches = (response.SecurityGroups ?? [])
            .Where(g => string.Equals(g.GroupName, groupName, StringComparison.Ordinal) && (vpcId is null || string.Equals(g.VpcId, vpcId, StringComparison.Ordinal)))
            .Select(static g => g.GroupId)
            .Where(static id => !string.IsNullOrEmpty(id))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return matches.Count switch
        {
            1 => AwsLookupResult<string>.Found(matches[0]),
            0 => AwsLookupResult<string>.NotFound("EC2 has no group of that name" + (vpcId is null ? " in the default VPC" : " in the VPC")),
            _ => AwsLookupResult<string>.Permanent(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"EC2 has {matches.Count} groups of that name; not guessing")),
        };
    }

    private async Task<(IReadOnlyList<IdentifiedRule>? Rules, AwsLookupResult<GroupState>? Failure)> DescribeRulesAsync(
        IAmazonEC2 client, string groupId, string accountId, CancellationToken cancellationToken)
    {
        var rules = new List<IdentifiedRule>();
        string? nextToken = null;
        for (var page = 0; page < MaxRulePages; page++)
        {
            var request = new DescribeSecurityGroupRulesRequest
            {
                Filters = [new Filter("group-id", [groupId])],
                MaxResults = RulesPageSize,
                NextToken = nextToken,
            };
            var called = await CallAsync<DescribeSecurityGroupRulesResponse, GroupState>(
                "DescribeSecurityGroupRules", () => client.DescribeSecurityGroupRulesAsync(request, cancellationToken), cancellationToken);
            if (called.Response is not { } response)
            {
                return (null, called.Failure);
            }

            foreach (var rule in response.SecurityGroupRules ?? [])
            {
                if (!string.Equals(rule.GroupId, groupId, StringComparison.Ordinal))
                {
                    continue;
                }

                if (ToRule(rule, accountId) is not { } identified)
                {
                    return (null, AwsLookupResult<GroupState>.Permanent("EC2 described a rule oddly (no protocol, or not exactly one peer)"));
                }

                rules.Add(identified);
            }

            if (string.IsNullOrEmpty(response.NextToken))
            {
                return (rules, null);
            }

            if (string.Equals(response.NextToken, nextToken, StringComparison.Ordinal))
            {
                break;
            }

            nextToken = response.NextToken;
        }

        return (null, AwsLookupResult<GroupState>.Permanent(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"EC2 DescribeSecurityGroupRules did not end within {MaxRulePages} pages")));
    }

    /// <summary>One EC2 <c>SecurityGroupRule</c> in the model, normalised as Config's; null when it is not one rule with one peer.</summary>
    internal static IdentifiedRule? ToRule(Ec2Rule rule, string accountId)
    {
        if (string.IsNullOrEmpty(rule.IpProtocol) || rule.FromPort is < -1 or > 65535 || rule.ToPort is < -1 or > 65535)
        {
            return null;
        }

        var referenced = rule.ReferencedGroupInfo is { GroupId: { Length: > 0 } referencedId } info ? PermissionFlattener.GroupPeer(referencedId, NullIfEmpty(info.UserId), accountId) : null;
        string?[] peers = [NullIfEmpty(rule.CidrIpv4), NullIfEmpty(rule.CidrIpv6), NullIfEmpty(rule.PrefixListId), referenced];
        if (peers.Count(static p => p is not null) != 1)
        {
            return null;
        }

        var direction = rule.IsEgress == true ? RuleDirection.Egress : RuleDirection.Ingress;
        SecurityGroupRule normalised = PermissionFlattener.Rule(direction, rule.IpProtocol, rule.FromPort, rule.ToPort, peers.First(static p => p is not null)!, NullIfEmpty(rule.Description));
        return new IdentifiedRule(normalised, NullIfEmpty(rule.SecurityGroupRuleId));
    }

    private static IReadOnlyList<IdentifiedRule> FlattenPermissions(SecurityGroup group, string accountId) =>
        PermissionFlattener.Flatten(ToConfiguration(group), accountId).Select(static r => new IdentifiedRule(r, null)).ToList();

    private static Dictionary<string, string> Tags(SecurityGroup group)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in group.Tags ?? [])
        {
            if (!string.IsNullOrEmpty(tag.Key))
            {
                tags[tag.Key] = tag.Value ?? string.Empty;
            }
        }

        return tags;
    }

    private async Task<(IAmazonEC2? Client, AwsLookupResult<T>? Failure)> ClientAsync<T>(string accountId, string region, string action, CancellationToken cancellationToken)
        where T : class
    {
        var lease = await clients.Ec2Async(accountId, region, cancellationToken);
        if (lease.Client is { } client)
        {
            return (client, null);
        }

        var unavailable = $"EC2 {action} not tried: {lease.Problem}";
        return (null, lease.Transient ? AwsLookupResult<T>.Transient(unavailable) : AwsLookupResult<T>.Permanent(unavailable));
    }

    private static async Task<(TResponse? Response, AwsLookupResult<T>? Failure)> CallAsync<TResponse, T>(string action, Func<Task<TResponse>> call, CancellationToken cancellationToken)
        where TResponse : class
        where T : class
    {
        try
        {
            return (await call(), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            var problem = $"EC2 {action} failed: {AwsErrorClassifier.Describe(exception)}";
            return (null, exception is AmazonServiceException { ErrorCode: { } code } && NotFoundCodes.Contains(code) ? AwsLookupResult<T>.NotFound(problem)
                : AwsErrorClassifier.IsTransient(exception) ? AwsLookupResult<T>.Transient(problem)
                : AwsLookupResult<T>.Permanent(problem));
        }
    }

    /// <summary>The group as Config would describe it (the oversized-item path).</summary>
    public async Task<AwsLookupResult<SecurityGroupConfiguration>> DescribeAsync(string accountId, string groupId, string region, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(groupId);
        ArgumentException.ThrowIfNullOrEmpty(region);
        var ec2 = await ClientAsync<SecurityGroupConfiguration>(accountId, region, "DescribeSecurityGroups", cancellationToken);
        if (ec2.Client is not { } client)
        {
            return ec2.Failure!;
        }

        var described = await CallAsync<DescribeSecurityGroupsResponse, SecurityGroupConfiguration>(
            "DescribeSecurityGroups", () => client.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] }, cancellationToken), cancellationToken);
        if (described.Response is not { } response)
        {
            return described.Failure!;
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
        return new SecurityGroupConfiguration(
            group.GroupId,
            group.GroupName,
            group.Description,
            group.VpcId,
            group.OwnerId,
            (group.IpPermissions ?? []).Select(ToPermission).ToList(),
            (group.IpPermissionsEgress ?? []).Select(ToPermission).ToList(),
            Tags(group));
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
