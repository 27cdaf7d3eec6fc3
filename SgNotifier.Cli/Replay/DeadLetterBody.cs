using System.Text;
using SgNotifier.Core.Sns;

namespace SgNotifier.Cli.Replay;

/// <summary>
/// What SNS put in the subscription's dead-letter queue: the same signed JSON envelope it POSTs to the endpoint (raw
/// delivery is off), whose <c>Message</c> is the AWS Config message to publish again. The envelope is read with the
/// app's strict <see cref="SnsMessageParser"/> (signature fields required, duplicate keys refused), so the Message
/// that is verified is the one that is published. Pure: no I/O.
/// </summary>
/// <param name="Envelope">The SNS message as received, to verify before anything is published.</param>
internal sealed record DeadLetterBody(SnsMessage Envelope)
{
    /// <summary>The inner Config message, published again unchanged (so its configurationStateId, and with it the ledger's change key, stays the same).</summary>
    public string Message => Envelope.Message;

    /// <summary>Published again when present, like Config's original.</summary>
    public string? Subject => Envelope.Subject is { Length: > 0 } subject ? subject : null;

    /// <summary>The original SNS MessageId, for the operator's report.</summary>
    public string MessageId => Envelope.MessageId;

    /// <summary>The envelope, or null with the reason it cannot be replayed.</summary>
    public static DeadLetterBody? Parse(string body, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(body);
        problem = null;
        var parsed = SnsMessageParser.Parse(Encoding.UTF8.GetBytes(body), SnsRequestHeaders.None, requireSignature: true);
        if (parsed.Message is not { } envelope)
        {
            problem = $"not a signed SNS envelope ({parsed.Reason}: {parsed.Detail}); only what SNS delivered, with raw message delivery off, can be replayed";
            return null;
        }

        if (envelope.Type != SnsMessageType.Notification)
        {
            problem = "an SNS " + envelope.Type + ", not a Notification: nothing to replay";
            return null;
        }

        if (envelope.Message.Length == 0)
        {
            problem = "the Notification has no Message";
            return null;
        }

        return new DeadLetterBody(envelope);
    }
}
