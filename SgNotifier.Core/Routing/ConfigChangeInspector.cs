using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Config;

namespace SgNotifier.Core.Routing;

/// <summary>
/// The Config stage as one call: parse the message, read an oversized item from S3 or EC2 when configured, and route.
/// Everything but the AWS reads is <see cref="ConfigMessageParser"/> and <see cref="ChangeRouter"/>.
/// </summary>
public sealed class ConfigChangeInspector
{
    private readonly NotifyOptions notifyOptions;
    private readonly AwsOptions awsOptions;
    private readonly OversizedConfigurationItemFetcher fetcher;
    private readonly Ec2SecurityGroupLookup lookup;
    private readonly ILogger<ConfigChangeInspector> logger;
    private readonly SgNotifierMetrics metrics;

    public ConfigChangeInspector(
        IOptions<NotifyOptions> notifyOptions,
        IOptions<AwsOptions> awsOptions,
        OversizedConfigurationItemFetcher fetcher,
        Ec2SecurityGroupLookup lookup,
        ILogger<ConfigChangeInspector> logger,
        SgNotifierMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(notifyOptions);
        ArgumentNullException.ThrowIfNull(awsOptions);
        this.notifyOptions = notifyOptions.Value;
        this.awsOptions = awsOptions.Value;
        this.fetcher = fetcher ?? throw new ArgumentNullException(nameof(fetcher));
        this.lookup = lookup ?? throw new ArgumentNullException(nameof(lookup));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        this.metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));

        if (this.notifyOptions.AllowedRecipientDomains is not { Count: > 0 } domains)
        {
            logger.AnyRecipientDomain("empty (allowed only in Development)");
        }
        else if (domains.Contains(NotifyOptions.AnyDomain))
        {
            logger.AnyRecipientDomain("'*'");
        }
    }

    /// <param name="configMessage">The SNS <c>Message</c> of a verified Notification.</param>
    public Task<InspectionResult> InspectAsync(string configMessage, CancellationToken cancellationToken) =>
        InspectAsync(ConfigMessageParser.Parse(configMessage), cancellationToken);

    public async Task<InspectionResult> InspectAsync(ConfigMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind is ConfigMessageKind.NotConfig or ConfigMessageKind.Malformed or ConfigMessageKind.UnknownMessageType)
        {
            logger.Unreadable(message.Kind switch
            {
                ConfigMessageKind.NotConfig => DecisionReasons.NotConfig,
                ConfigMessageKind.Malformed => DecisionReasons.MalformedConfig,
                _ => DecisionReasons.UnknownMessageType,
            }, message.MessageType, message.Problem);
        }

        ChangeDecision decision;
        if (message is { Kind: ConfigMessageKind.OversizedItemChange, Summary.IsSecurityGroup: true })
        {
            var result = await InspectOversizedAsync(message, cancellationToken);
            if (result.Status == InspectionStatus.TransientFailure)
            {
                logger.TransientAwsFailure(Key(message), result.Problem);
                return result;
            }

            decision = result.Decision!;
        }
        else
        {
            decision = ChangeRouter.Decide(message, notifyOptions);
        }

        Log(decision);
        return InspectionResult.Decided(decision);
    }

    private async Task<InspectionResult> InspectOversizedAsync(ConfigMessage message, CancellationToken cancellationToken)
    {
        var summary = message.Summary!;
        if (!ChangeRouter.IsAccountAllowed(summary.AwsAccountId, notifyOptions))
        {
            return InspectionResult.Decided(ChangeRouter.DecideOversized(message, notifyOptions, "the account is not allowed"));
        }

        // The region names an endpoint and a signing scope: one that is not a region name is never asked.
        if (!ConfigDeliveryLocation.IsRegionName(summary.AwsRegion) || !ConfigDeliveryLocation.IsAccountId(summary.AwsAccountId))
        {
            const string refusal = "the summary's awsRegion or awsAccountId is not an AWS region name or account id, so AWS was not asked";
            logger.OversizedLocationRefused(Key(message), refusal);
            return InspectionResult.Decided(ChangeRouter.DecideOversized(message, notifyOptions, refusal));
        }

        var failures = new List<string>();
        if (awsOptions.FetchOversizedItems)
        {
            var fetched = await fetcher.FetchAsync(message, cancellationToken);
            metrics.AwsLookedUp("s3:GetObject", fetched.Status);
            switch (fetched.Status)
            {
                case AwsLookupStatus.TransientFailure:
                    return InspectionResult.TransientFailure(fetched.Problem!);
                case AwsLookupStatus.Found:
                    // The key and message type stay those of the notification SNS delivered, so a redelivery that
                    // takes the other path (S3 down, EC2 up) is recognised as the same change.
                    var fetchedDecision = ChangeRouter.Decide(fetched.Value!, notifyOptions);
                    return InspectionResult.Decided(fetchedDecision with
                    {
                        MessageType = message.MessageType,
                        Key = fetchedDecision.Key is null ? null : ChangeRouter.KeyOf(summary),
                    });
                default:
                    logger.OversizedFetchFailed(Key(message), fetched.Problem);
                    failures.Add("the S3 fetch failed: " + fetched.Problem);
                    break;
            }
        }
        else
        {
            failures.Add("fetching from S3 is disabled");
        }

        if (awsOptions.LookupTagsWithEc2)
        {
            var described = await lookup.DescribeAsync(summary.AwsAccountId, summary.ResourceId, summary.AwsRegion, cancellationToken);
            metrics.AwsLookedUp("ec2:DescribeSecurityGroups", described.Status);
            switch (described.Status)
            {
                case AwsLookupStatus.TransientFailure:
                    return InspectionResult.TransientFailure(described.Problem!);
                case AwsLookupStatus.Found:
                    return InspectionResult.Decided(ChangeRouter.DecideFromCurrentState(message, described.Value!, notifyOptions));
                default:
                    logger.Ec2LookupFailed(Key(message), described.Problem);
                    failures.Add("the EC2 lookup failed: " + described.Problem);
                    break;
            }
        }
        else
        {
            failures.Add("EC2 lookups are disabled");
        }

        return InspectionResult.Decided(ChangeRouter.DecideOversized(message, notifyOptions, string.Join("; ", failures)));
    }

    private void Log(ChangeDecision decision)
    {
        if (decision.RejectedRecipients.Count > 0)
        {
            logger.RecipientsRejected(
                decision.Key?.ToString(),
                decision.RejectedRecipients.Count,
                string.Join(", ", decision.RejectedRecipients.Select(static r => r.Reason).Distinct(StringComparer.Ordinal)));
        }

        if (decision.SecurityGroup is null)
        {
            logger.Ignored(decision.Reason, decision.MessageType, decision.Detail);
            return;
        }

        logger.Decided(
            decision.Key?.ToString(),
            decision.MessageType,
            decision.Outcome,
            decision.Reason,
            decision.Recipients.Count,
            decision.Added.Count,
            decision.Removed.Count,
            decision.Changed.Count,
            decision.TagChanges.Count,
            decision.IsRisky);

        if (decision.TurnedOff is { } off)
        {
            logger.NotificationsTurnedOff(decision.Key?.ToString(), decision.SecurityGroup.Id, off.Cause);
        }

        // A group change that reaches nobody although it was meant to: loud, so an operator can fix tags or options.
        if (decision.Reason is DecisionReasons.OversizedNoFallback or DecisionReasons.NoRecipients or DecisionReasons.OversizedDeliveryFailed or DecisionReasons.PreviousStateUnknown)
        {
            logger.ChangeNotNotified(decision.Key?.ToString(), decision.Reason, decision.Detail);
        }
    }

    private static string? Key(ConfigMessage message) => message.Summary is { } s ? ChangeRouter.KeyOf(s).ToString() : null;
}
