using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// The Config source: parses the message and, for an oversized change, reads the item from S3 or the group from EC2
/// when configured. Everything but the AWS reads is <see cref="ConfigMessageParser"/> and <see cref="ConfigChangeReader"/>.
/// </summary>
public sealed class ConfigChangeSource
{
    private readonly NotifyOptions notifyOptions;
    private readonly AwsOptions awsOptions;
    private readonly OversizedConfigurationItemFetcher fetcher;
    private readonly Ec2SecurityGroupLookup lookup;
    private readonly ILogger<ConfigChangeSource> logger;
    private readonly SgNotifierMetrics metrics;

    public ConfigChangeSource(
        IOptions<NotifyOptions> notifyOptions,
        IOptions<AwsOptions> awsOptions,
        OversizedConfigurationItemFetcher fetcher,
        Ec2SecurityGroupLookup lookup,
        ILogger<ConfigChangeSource> logger,
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
    }

    /// <param name="configMessage">The SNS <c>Message</c> of a verified Notification.</param>
    public Task<SourceReading> ReadAsync(string configMessage, CancellationToken cancellationToken) =>
        ReadAsync(ConfigMessageParser.Parse(configMessage), cancellationToken);

    public async Task<SourceReading> ReadAsync(ConfigMessage message, CancellationToken cancellationToken)
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

        if (message is not { Kind: ConfigMessageKind.OversizedItemChange, Summary.IsSecurityGroup: true })
        {
            return WithObserved(ConfigChangeReader.Read(message));
        }

        var reading = await ReadOversizedAsync(message, cancellationToken);
        if (reading is RetryReading retry)
        {
            logger.TransientAwsFailure(Key(message), retry.Problem);
        }

        return WithObserved(reading);
    }

    /// <summary>Every Config item tells the group's whole state: the group directory learns it (issue 17).</summary>
    private static SourceReading WithObserved(SourceReading reading) => reading is ChangesRead { Observed: null } read
        ? read with { Observed = read.Changes.Select(ConfigChangeReader.StateAfter).OfType<GroupState>().ToList() }
        : reading;

    private async Task<SourceReading> ReadOversizedAsync(ConfigMessage message, CancellationToken cancellationToken)
    {
        var summary = message.Summary!;
        if (!ChangeRouter.IsAccountAllowed(summary.AwsAccountId, notifyOptions))
        {
            return ConfigChangeReader.Uninspected(message, "the account is not allowed");
        }

        // The region names an endpoint and a signing scope: one that is not a region name is never asked.
        if (!ConfigDeliveryLocation.IsRegionName(summary.AwsRegion) || !ConfigDeliveryLocation.IsAccountId(summary.AwsAccountId))
        {
            const string refusal = "the summary's awsRegion or awsAccountId is not an AWS region name or account id, so AWS was not asked";
            logger.OversizedLocationRefused(Key(message), refusal);
            return ConfigChangeReader.Uninspected(message, refusal);
        }

        var failures = new List<string>();
        if (awsOptions.FetchOversizedItems)
        {
            var fetched = await fetcher.FetchAsync(message, cancellationToken);
            metrics.AwsLookedUp("s3:GetObject", fetched.Status);
            switch (fetched.Status)
            {
                case AwsLookupStatus.TransientFailure:
                    return new RetryReading(NotifyReasons.AwsUnavailable, fetched.Problem!);
                case AwsLookupStatus.Found:
                    // The key and message type stay those of the notification SNS delivered, so a redelivery that
                    // takes the other path (S3 down, EC2 up) is recognised as the same change.
                    return ConfigChangeReader.Read(fetched.Value!) switch
                    {
                        ChangesRead read => new ChangesRead(read.Changes.Select(c => Renamed(c, message, summary)).ToList()),
                        IgnoredReading { Context: { } context } ignored => ignored with { MessageType = message.MessageType, Context = Renamed(context, message, summary) },
                        IgnoredReading ignored => ignored with { MessageType = message.MessageType },
                        var other => other,
                    };
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
                    return new RetryReading(NotifyReasons.AwsUnavailable, described.Problem!);
                case AwsLookupStatus.Found:
                    return new ChangesRead([ConfigChangeReader.FromCurrentState(message, described.Value!)]);
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

        return ConfigChangeReader.Uninspected(message, string.Join("; ", failures));
    }

    /// <summary>A change read from the S3 copy, under the key and message type of the notification SNS delivered.</summary>
    private static SecurityGroupChange Renamed(SecurityGroupChange change, ConfigMessage message, ConfigurationItemSummary summary)
    {
        var events = change.Events.ToList();
        if (events.Count > 0)
        {
            events[0] = events[0] with { Name = message.MessageType };
        }

        return change with { Key = ConfigChangeReader.KeyOf(summary), Events = events };
    }

    private static string? Key(ConfigMessage message) => message.Summary is { } s ? ConfigChangeReader.KeyOf(s).ToString() : null;
}
