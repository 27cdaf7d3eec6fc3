using System.Buffers;
using System.Text.Unicode;
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

    /// <summary>The chars <see cref="Detect"/> transcodes per step; a token longer than a step grows the buffer.</summary>
    private const int ChunkChars = 1024;

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
    /// CloudTrail when the top-level <c>source</c> is an AWS service (<c>aws.…</c>) and <c>detail-type</c> is a
    /// CloudTrail one ("AWS API Call via CloudTrail" from <c>aws.ec2</c>; another service's call or a console sign-in,
    /// let through by a broader rule, which the CloudTrail reader answers <c>not-security-group-call</c> rather than
    /// Config's "no messageType"); null when the message is not a JSON object; Config otherwise, which answers
    /// <c>not-config</c> for what is neither. Reads only the top-level keys, and only of a message that mentions
    /// <c>aws.ec2</c> or "via CloudTrail" at all: a Config message can be 250 KB. The text is transcoded a chunk at a time into one pooled buffer, and reading stops
    /// as soon as both keys say CloudTrail (EventBridge writes them first), so an event costs a few hundred bytes.
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
            return ReadTopLevelKeys(text);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or ArgumentException)
        {
            // Broken JSON that mentions aws.ec2: the CloudTrail reader says what is wrong with it.
            return namesEc2 ? ChangeSource.CloudTrail : ChangeSource.Config;
        }
    }

    private static ChangeSource ReadTopLevelKeys(ReadOnlySpan<char> text)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkChars * 3);
        try
        {
            var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 64 });
            bool? isAwsService = null, viaCloudTrail = null;
            var awaiting = Key.None;
            var position = 0;
            var carried = 0;
            while (true)
            {
                var chunk = text.Slice(position, Math.Min(ChunkChars, text.Length - position));
                if (buffer.Length - carried < chunk.Length * 3)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(carried + (chunk.Length * 3));
                    buffer.AsSpan(0, carried).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                // Lone surrogates become U+FFFD, as Encoding.UTF8 did; a pair split by the chunk waits for the next.
                Utf8.FromUtf16(chunk, buffer.AsSpan(carried), out var read, out var written, replaceInvalidSequences: true, isFinalBlock: position + chunk.Length >= text.Length);
                position += read;
                var length = carried + written;
                var reader = new Utf8JsonReader(buffer.AsSpan(0, length), position >= text.Length, state);
                while (reader.Read())
                {
                    if (reader.CurrentDepth == 0)
                    {
                        if (reader.TokenType == JsonTokenType.EndObject)
                        {
                            return isAwsService == true && viaCloudTrail == true ? ChangeSource.CloudTrail : ChangeSource.Config;
                        }

                        continue;
                    }

                    if (reader.CurrentDepth != 1)
                    {
                        continue;
                    }

                    if (reader.TokenType == JsonTokenType.PropertyName)
                    {
                        awaiting = reader.ValueTextEquals("source"u8) ? Key.Source : reader.ValueTextEquals("detail-type"u8) ? Key.DetailType : Key.None;
                        continue;
                    }

                    // A later duplicate key replaces an earlier one while reading goes on; a value that is no string counts as absent.
                    var isString = reader.TokenType == JsonTokenType.String;
                    if (awaiting == Key.Source)
                    {
                        isAwsService = isString ? Affixed(ref reader, "aws."u8, prefix: true) : null;
                    }
                    else if (awaiting == Key.DetailType)
                    {
                        viaCloudTrail = isString ? Affixed(ref reader, " via CloudTrail"u8, prefix: false) : null;
                    }

                    awaiting = Key.None;
                    if (isAwsService == true && viaCloudTrail == true)
                    {
                        // Both keys say CloudTrail: its reader checks the whole event anyway.
                        return ChangeSource.CloudTrail;
                    }
                }

                if (position >= text.Length)
                {
                    // The final block ended without closing the root object: the reader has thrown already.
                    return isAwsService == true && viaCloudTrail == true ? ChangeSource.CloudTrail : ChangeSource.Config;
                }

                state = reader.CurrentState;
                var consumed = (int)reader.BytesConsumed;
                buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
                carried = length - consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Whether the string value starts (or ends) with <paramref name="affix"/>; escaped text is unescaped first.</summary>
    private static bool Affixed(ref Utf8JsonReader reader, ReadOnlySpan<byte> affix, bool prefix)
    {
        if (reader.ValueIsEscaped)
        {
            var text = reader.GetString() ?? string.Empty;
            var expected = Encoding.UTF8.GetString(affix);
            return prefix ? text.StartsWith(expected, StringComparison.Ordinal) : text.EndsWith(expected, StringComparison.Ordinal);
        }

        return prefix ? reader.ValueSpan.StartsWith(affix) : reader.ValueSpan.EndsWith(affix);
    }

    private enum Key
    {
        None,
        Source,
        DetailType,
    }
}
