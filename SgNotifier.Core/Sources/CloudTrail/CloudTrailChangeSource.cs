using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Groups;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// The CloudTrail source (issue 17): an EventBridge "AWS API Call via CloudTrail" event in, one change per group out.
/// Reads the group's last known state from the group directory (the "before") and its current state from EC2 in the
/// event's own account and region (the tags to route on, the direction behind a rule id); everything else is the
/// pure <see cref="CloudTrailEventParser"/> and <see cref="CloudTrailChangeBuilder"/>.
/// </summary>
public sealed class CloudTrailChangeSource
{
    /// <summary>At most this many groups of one <c>CreateTags</c>/<c>DeleteTags</c> call are read (two EC2 reads each).</summary>
    internal const int MaxGroupsPerCall = 50;

    private readonly NotifyOptions _notify;
    private readonly Ec2SecurityGroupLookup _ec2;
    private readonly IGroupDirectory _directory;
    private readonly ILogger<CloudTrailChangeSource> _logger;
    private readonly SgNotifierMetrics _metrics;

    public CloudTrailChangeSource(
        IOptions<NotifyOptions> notify,
        Ec2SecurityGroupLookup ec2,
        IGroupDirectory directory,
        ILogger<CloudTrailChangeSource> logger,
        SgNotifierMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(notify);
        _notify = notify.Value;
        _ec2 = ec2 ?? throw new ArgumentNullException(nameof(ec2));
        _directory = directory ?? throw new ArgumentNullException(nameof(directory));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
    }

    /// <param name="message">The SNS <c>Message</c> of a verified Notification: the raw EventBridge event.</param>
    public async Task<SourceReading> ReadAsync(string message, CancellationToken cancellationToken)
    {
        switch (CloudTrailEventParser.Parse(message))
        {
            case IgnoredCloudTrailEvent ignored:
                return Ignored(ignored);
            case SecurityGroupApiCall call:
                return await ReadCallAsync(call, cancellationToken);
            default:
                throw new InvalidOperationException("CloudTrailReading is closed.");
        }
    }

    private IgnoredReading Ignored(IgnoredCloudTrailEvent ignored)
    {
        var name = ignored.Event?.EventName;
        if (ignored.Reason == CloudTrailReasons.CallFailed && ignored.Event is { } failed)
        {
            // The attempt is worth knowing (someone tried to open a group and was refused); never the message itself.
            _logger.CloudTrailCallFailed(failed.EventId, failed.EventName, ignored.ErrorCode, failed.AccountId, failed.Region);
            return new IgnoredReading(ignored.Reason, $"The {failed.EventName} call failed ({ignored.ErrorCode ?? "no error code"}): nothing changed.", name)
            {
                EventId = failed.EventId,
            };
        }

        if (ignored.Reason is CloudTrailReasons.NotJson or CloudTrailReasons.MalformedEvent)
        {
            _logger.Unreadable(ignored.Reason, name, ignored.Problem);
        }

        return new IgnoredReading(ignored.Reason, ignored.Reason switch
        {
            CloudTrailReasons.NotJson => $"Not a CloudTrail event: {ignored.Problem}.",
            CloudTrailReasons.MalformedEvent => $"The CloudTrail event could not be read: {ignored.Problem}.",
            _ => $"Not a security-group change: {ignored.Problem}.",
        }, name)
        {
            EventId = ignored.Event?.EventId,
        };
    }

    private async Task<SourceReading> ReadCallAsync(SecurityGroupApiCall call, CancellationToken cancellationToken)
    {
        var info = call.Event;
        if (!AwsRegion.IsAccountId(info.AccountId) || !AwsRegion.IsValid(info.Region))
        {
            // Account and region pick credentials and an endpoint: never from text that is not an account id or region.
            return new IgnoredReading(CloudTrailReasons.MalformedEvent, "The CloudTrail event's account or region is not an AWS account id or region name.", info.EventName);
        }

        if (!ChangeRouter.IsAccountAllowed(info.AccountId, _notify))
        {
            return new IgnoredReading(DecisionReasons.AccountNotAllowed, $"Account {info.AccountId} is not in Notify:AllowedAccountIds.", info.EventName)
            {
                EventId = info.EventId,
            };
        }

        var groups = call.Groups;
        if (groups.Count > MaxGroupsPerCall)
        {
            _logger.CloudTrailTooManyGroups(info.EventId, info.EventName, groups.Count, MaxGroupsPerCall);
            groups = groups.Take(MaxGroupsPerCall).ToList();
        }

        var changes = new List<SecurityGroupChange>(groups.Count);
        var observed = new List<GroupState>(groups.Count);
        foreach (var named in groups)
        {
            var group = named;
            if (group.GroupId is null)
            {
                var found = await _ec2.FindGroupIdByNameAsync(info.AccountId, info.Region, group.GroupName!, group.VpcId, cancellationToken);
                _metrics.AwsLookedUp("ec2:DescribeSecurityGroups", found.Status);
                switch (found.Status)
                {
                    case AwsLookupStatus.TransientFailure:
                        return new RetryReading(NotifyReasons.AwsUnavailable, found.Problem!);
                    case AwsLookupStatus.Found:
                        group = group with { GroupId = found.Value };
                        break;
                    default:
                        _logger.CloudTrailGroupUnknown(info.EventId, info.EventName, found.Problem);
                        return new IgnoredReading(
                            DecisionReasons.GroupUnknown,
                            $"The {info.EventName} call named its group by name only, and EC2 could not tell its id ({found.Problem}); the change is left to AWS Config.",
                            info.EventName,
                            Loud: true);
                }
            }

            var known = await _directory.GetAsync(info.AccountId, info.Region, group.GroupId!, cancellationToken);
            var described = await _ec2.DescribeGroupStateAsync(info.AccountId, info.Region, group.GroupId!, cancellationToken);
            _metrics.AwsLookedUp("ec2:DescribeSecurityGroups", described.Status);
            if (described.Status == AwsLookupStatus.TransientFailure)
            {
                return new RetryReading(NotifyReasons.AwsUnavailable, described.Problem!);
            }

            if (described.Status != AwsLookupStatus.Found && !described.IsNotFound)
            {
                _logger.Ec2LookupFailed(new ChangeKey(info.AccountId, info.Region, group.GroupId!, info.EventId, ChangeSource.CloudTrail).ToString(), described.Problem);
            }

            var current = described.Value;
            var change = CloudTrailChangeBuilder.Build(call, group, known, current);
            if (current is null && change.Note is { } note)
            {
                // Why EC2 did not fill the gap (no credentials, access denied, the group is gone): the note is what the
                // mail and the preview give as the reason. Problems name error codes and our own words, never AWS's text.
                change = change with { Note = $"{note.TrimEnd('.')}; {described.Problem ?? "EC2 could not be read"}." };
            }

            changes.Add(change);

            // What the call proves, as of the call's time; EC2's read only when the call alone tells too little. A read is
            // stamped with its own time and may already hold later calls' effects: remembered as the state after this call,
            // it would hide the next call's change (a re-pointed OwnerDL) from the next delivery.
            // Rules are another matter: their sgr- ids never repeat, so a read's later rules can only help resolve an id.
            if (CloudTrailChangeBuilder.StateAfter(change, known, current) is { } after)
            {
                observed.Add(after.Rules is null && current?.Rules is { } rules ? after with { Rules = rules } : after);
            }
            else if (current is not null)
            {
                observed.Add(current);
            }
        }

        return new ChangesRead(changes, observed);
    }
}
