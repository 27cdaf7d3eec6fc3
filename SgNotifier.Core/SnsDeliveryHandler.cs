using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Sns;

namespace SgNotifier.Core;

/// <summary>
/// The front door: one SNS HTTP/S delivery in, one outcome out. Reads the body (capped), parses it strictly,
/// verifies it, then confirms a subscription or hands a notification to the change pipeline.
/// </summary>
public sealed class SnsDeliveryHandler
{
    private readonly SnsMessageVerifier _verifier;
    private readonly SnsSubscriptionConfirmer _confirmer;
    private readonly ChangeNotifier _notifier;
    private readonly SnsOptions _options;
    private readonly ILogger<SnsDeliveryHandler> _logger;
    private readonly SgNotifierMetrics _metrics;

    public SnsDeliveryHandler(SnsMessageVerifier verifier, SnsSubscriptionConfirmer confirmer, ChangeNotifier notifier, IOptions<SnsOptions> options, ILogger<SnsDeliveryHandler> logger, SgNotifierMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(options);
        _verifier = verifier;
        _confirmer = confirmer;
        _notifier = notifier;
        _options = options.Value;
        _logger = logger;
        _metrics = metrics;
    }

    /// <summary>Handles a live delivery: confirms subscriptions and sends mail.</summary>
    public async Task<DeliveryResult> HandleAsync(Stream body, SnsRequestHeaders headers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(headers);
        var started = SgNotifierMetrics.StartTimestamp();
        var read = await ReadBodyAsync(body, headers.ContentLength, cancellationToken);
        DeliveryResult result;
        if (read.Buffer is null)
        {
            result = Refused(read, "body");
        }
        else
        {
            try
            {
                result = await ProcessAsync(read.Buffer.AsMemory(0, read.Length), headers, preview: false, cancellationToken);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(read.Buffer);
            }
        }

        LogOutcome(result);
        _metrics.DeliveryAnswered(result, started);
        return result;
    }

    /// <summary>
    /// Runs the whole pipeline on a captured input without side effects: nothing is sent, confirmed or recorded.
    /// The input is an SNS HTTP body (verified by every rule but the header checks) or a bare AWS Config message.
    /// </summary>
    public async Task<DeliveryResult> PreviewAsync(Stream input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var read = await ReadBodyAsync(input, null, cancellationToken);
        if (read.Buffer is null)
        {
            return Refused(read, "input");
        }

        try
        {
            var body = read.Buffer.AsMemory(0, read.Length);
            if (Utf8JsonText.Problem(body.Span) is { } problem)
            {
                // Neither an SNS body nor a Config message can be told apart, or read, in text that is not text.
                return DeliveryResult.Malformed(SnsReasons.InvalidUtf8, "the input " + problem);
            }

            return LooksLikeSnsEnvelope(body)
                ? await ProcessAsync(body, SnsRequestHeaders.None, preview: true, cancellationToken)
                : await _notifier.PreviewAsync(null, Encoding.UTF8.GetString(body.Span), cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(read.Buffer);
        }
    }

    /// <param name="body">A pooled buffer, returned by the caller: read only before the first await.</param>
    private async Task<DeliveryResult> ProcessAsync(ReadOnlyMemory<byte> body, SnsRequestHeaders headers, bool preview, CancellationToken cancellationToken)
    {
        var parsed = SnsMessageParser.Parse(body.Span, headers, requireSignature: _options.VerifySignatures);
        if (parsed.Message is not { } message)
        {
            return DeliveryResult.Malformed(parsed.Reason!, parsed.Detail!);
        }

        if (_options.VerifySignatures)
        {
            var verification = await _verifier.VerifyAsync(message, cancellationToken);
            if (verification != SnsVerificationResult.Verified)
            {
                return new DeliveryResult(
                    DeliveryOutcome.Rejected,
                    SnsMessageVerifier.ReasonFor(verification),
                    SnsMessageVerifier.DetailFor(verification),
                    Retry: verification == SnsVerificationResult.CertUnavailable,
                    Message: message);
            }
        }
        else if (!_verifier.IsTopicAllowed(message.TopicArn))
        {
            return new DeliveryResult(DeliveryOutcome.Rejected, SnsReasons.TopicNotAllowed,
                SnsMessageVerifier.DetailFor(SnsVerificationResult.TopicNotAllowed), Message: message);
        }

        return message.Type switch
        {
            SnsMessageType.SubscriptionConfirmation => await ConfirmAsync(message, preview, cancellationToken),
            SnsMessageType.UnsubscribeConfirmation => Unsubscribed(message, preview),
            _ => preview
                ? await _notifier.PreviewAsync(message, message.Message, cancellationToken)
                : await _notifier.NotifyAsync(message, cancellationToken),
        };
    }

    private async Task<DeliveryResult> ConfirmAsync(SnsMessage message, bool preview, CancellationToken cancellationToken)
    {
        if (preview)
        {
            // Preview prints to its caller, not to a log: the one place the token may appear, in the command that
            // confirms the subscription so that unsubscribing needs authentication.
            return new DeliveryResult(DeliveryOutcome.SubscriptionConfirmation, SnsReasons.Preview,
                "a genuine subscription confirmation; serve would confirm it (Sns:AutoConfirm). To confirm it yourself with authenticated unsubscribe: " +
                SnsSubscriptionConfirmer.ReconfirmCommand(message.TopicArn, message.Token ?? "<token>"), Message: message);
        }

        if (!_options.AutoConfirm)
        {
            return new DeliveryResult(DeliveryOutcome.SubscriptionConfirmation, SnsReasons.AutoConfirmDisabled,
                "Sns:AutoConfirm is false: confirm the subscription yourself", Message: message);
        }

        return await _confirmer.ConfirmAsync(message, cancellationToken) switch
        {
            ConfirmationStatus.Confirmed => new DeliveryResult(DeliveryOutcome.SubscriptionConfirmation,
                SnsReasons.SubscriptionConfirmed, "the subscription is confirmed", Message: message),
            ConfirmationStatus.Unavailable => new DeliveryResult(DeliveryOutcome.SubscriptionConfirmation,
                SnsReasons.ConfirmUnavailable, "SNS could not be reached to confirm; SNS will send the confirmation again",
                Retry: true, Message: message),
            _ => new DeliveryResult(DeliveryOutcome.SubscriptionConfirmation, SnsReasons.ConfirmFailed,
                "SNS refused the confirmation (the token may have expired); resubscribe the endpoint", Message: message),
        };
    }

    private DeliveryResult Unsubscribed(SnsMessage message, bool preview)
    {
        if (!preview)
        {
            _logger.UnsubscribeConfirmationReceived(message.TopicArn);
        }

        return new DeliveryResult(DeliveryOutcome.UnsubscribeConfirmation, SnsReasons.Unsubscribed,
            "the endpoint was unsubscribed from the topic: no more changes will arrive", Message: message);
    }

    private void LogOutcome(DeliveryResult result)
    {
        var messageId = result.Message?.MessageId;
        var topicArn = result.Message?.TopicArn;
        switch (result)
        {
            case { Retry: true }:
                _logger.DeliveryRetry(result.Reason, messageId, topicArn);
                break;
            case { Outcome: DeliveryOutcome.Malformed, Reason: SnsReasons.TooLarge }:
                // SNS never retries a 4xx: this delivery, possibly a genuine change, is lost.
                _logger.DeliveryTooLarge(_options.MaxBodyBytes);
                break;
            case { Outcome: DeliveryOutcome.Malformed }:
                _logger.DeliveryMalformed(result.Reason, result.Detail);
                break;
            case { Outcome: DeliveryOutcome.Rejected }:
                _logger.DeliveryRejected(result.Reason, messageId, topicArn);
                break;
            default:
                _logger.DeliveryAccepted(result.OutcomeName, result.Reason, messageId, topicArn);
                break;
        }
    }

    private DeliveryResult Refused(BodyRead read, string what) => read.Refusal == SnsReasons.TooLarge
        ? DeliveryResult.Malformed(SnsReasons.TooLarge, $"the {what} is larger than Sns:MaxBodyBytes ({_options.MaxBodyBytes} bytes)")
        : DeliveryResult.Malformed(SnsReasons.UnreadableBody, $"the {what} could not be read to its end (a Content-Length or chunked framing that does not match what was sent)");

    /// <summary>
    /// The body in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it), or no buffer and the
    /// reason: bigger than <see cref="SnsOptions.MaxBodyBytes"/>, or a stream that failed while being read (Kestrel
    /// reports a body shorter than its Content-Length, bad chunked framing or a too slow client as an
    /// <see cref="IOException"/>: the client's fault, never a 500). Pooled because a Config message can be 250 KB, and
    /// copying it into fresh arrays on every delivery was the largest allocation of the whole pipeline.
    /// </summary>
    private async Task<BodyRead> ReadBodyAsync(Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        var limit = _options.MaxBodyBytes;
        if (contentLength > limit)
        {
            return BodyRead.Refused(SnsReasons.TooLarge);
        }

        // One byte more than announced, so the read that finds the end needs no bigger buffer.
        var buffer = ArrayPool<byte>.Shared.Rent(contentLength is > 0 ? (int)contentLength.Value + 1 : Math.Min(limit + 1, 16 * 1024));
        var total = 0;
        try
        {
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return BodyRead.Refused(SnsReasons.TooLarge);
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (IOException)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return BodyRead.Refused(SnsReasons.UnreadableBody);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (total > limit)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return BodyRead.Refused(SnsReasons.TooLarge);
        }

        return new BodyRead(buffer, total, null);
    }

    /// <summary>A read body (<see cref="Buffer"/> pooled), or why it was not read (<see cref="Refusal"/>, a reason code).</summary>
    private readonly record struct BodyRead(byte[]? Buffer, int Length, string? Refusal)
    {
        public static BodyRead Refused(string reason) => new(null, 0, reason);
    }

    /// <summary>An SNS body has a string <c>Type</c> and <c>TopicArn</c> at its top level; a Config message has neither.</summary>
    private static bool LooksLikeSnsEnvelope(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   document.RootElement.TryGetProperty("Type", out var type) && type.ValueKind == JsonValueKind.String &&
                   (document.RootElement.TryGetProperty("TopicArn", out _) || document.RootElement.TryGetProperty("Signature", out _));
        }
        catch (JsonException)
        {
            // Not JSON at all: the SNS parser gives the precise reason.
            return true;
        }
    }
}
