using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core.Changes;

/// <summary>
/// The one switch between sources: picks the source of a verified SNS <c>Message</c> from its envelope and lets it
/// read the message. A third source is one more case here and one more folder under <c>Sources/</c>.
/// </summary>
public sealed class ChangeSources
{
    /// <summary>How every CloudTrail detail-type on EventBridge ends ("AWS API Call via CloudTrail", "AWS Console Signin via CloudTrail", …).</summary>
    private const string CloudTrailDetailTypeSuffix = " via CloudTrail";

    private readonly ConfigChangeSource _config;
    private readonly CloudTrailChangeSource _cloudTrail;
    private readonly IReadOnlySet<ChangeSource> _enabled;
    private readonly ILogger<ChangeSources> _logger;

    public ChangeSources(ConfigChangeSource config, CloudTrailChangeSource cloudTrail, IOptions<NotifyOptions> notify, ILogger<ChangeSources> logger)
    {
        ArgumentNullException.ThrowIfNull(notify);
        _config = config ?? throw new ArgumentNullException(nameof(config));
        _cloudTrail = cloudTrail ?? throw new ArgumentNullException(nameof(cloudTrail));
        _enabled = notify.Value.EffectiveSources;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <returns>The source the message came from, and what it made of the message.</returns>
    public async Task<(ChangeSource Source, SourceReading Reading)> ReadAsync(string message, CancellationToken cancellationToken)
    {
        // Text that is not a JSON object is no Config message either: with CloudTrail on, its reader explains (an
        // EventBridge input transformer is the usual cause); with Config only, Config answers not-config as always.
        var source = Detect(message) ?? (_enabled.Contains(ChangeSource.CloudTrail) ? ChangeSource.CloudTrail : ChangeSource.Config);
        if (!_enabled.Contains(source))
        {
            _logger.SourceDisabled(source.Name());
            return (source, new IgnoredReading(
                DecisionReasons.SourceDisabled,
                source == ChangeSource.CloudTrail
                    ? "A CloudTrail API call through EventBridge, but Notify:Sources does not include CloudTrail."
                    : "An AWS Config message, but Notify:Sources does not include Config."));
        }

        return (source, source == ChangeSource.CloudTrail
            ? await _cloudTrail.ReadAsync(message, cancellationToken)
            : await _config.ReadAsync(message, cancellationToken));
    }

    /// <summary>
    /// CloudTrail when the top-level <c>source</c> is <c>aws.ec2</c> and <c>detail-type</c> is "AWS API Call via
    /// CloudTrail", or when the event is any other CloudTrail event through EventBridge (an <c>aws.</c> source and a
    /// detail-type "… via CloudTrail": another service's API call, a console sign-in, let through by a broader rule),
    /// which the CloudTrail reader answers <c>not-security-group-call</c> rather than Config's "no messageType"; null
    /// when the message is not a JSON object; Config otherwise, which answers <c>not-config</c> for what is neither.
    /// Reads only the top-level keys, and only of a message that mentions <c>aws.ec2</c> or "via CloudTrail" at all: a
    /// Config message can be 250 KB.
    /// </summary>
    public static ChangeSource? Detect(string? message)
    {
        var text = message.AsSpan().TrimStart();
        if (text.IsEmpty || text[0] != '{')
        {
            return null;
        }

        var namesEc2 = text.Contains(CloudTrailEventParser.EventBridgeSource, StringComparison.Ordinal);
        if (!namesEc2 && !text.Contains(CloudTrailDetailTypeSuffix, StringComparison.Ordinal))
        {
            return ChangeSource.Config;
        }

        try
        {
            var bytes = Encoding.UTF8.GetBytes(message!);
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? source = null, detailType = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isSource = reader.ValueTextEquals("source"u8);
                var isDetailType = !isSource && reader.ValueTextEquals("detail-type"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isSource || isDetailType))
                {
                    if (isSource)
                    {
                        source = reader.GetString();
                    }
                    else
                    {
                        detailType = reader.GetString();
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            var ec2ApiCall = string.Equals(source, CloudTrailEventParser.EventBridgeSource, StringComparison.Ordinal) &&
                             string.Equals(detailType, CloudTrailEventParser.DetailType, StringComparison.Ordinal);
            var otherCloudTrailEvent = source is not null && source.StartsWith("aws.", StringComparison.Ordinal) &&
                                       detailType is not null && detailType.EndsWith(CloudTrailDetailTypeSuffix, StringComparison.Ordinal);
            return ec2ApiCall || otherCloudTrailEvent ? ChangeSource.CloudTrail : ChangeSource.Config;
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            // Broken JSON that mentions aws.ec2: the CloudTrail reader says what is wrong with it.
            return namesEc2 ? ChangeSource.CloudTrail : ChangeSource.Config;
        }
    }
}
