using System.Text.Json;

namespace SgNotifier.Cli.Replay;

/// <summary>
/// What SNS put in the subscription's dead-letter queue: the same JSON envelope it POSTs to the endpoint (raw delivery
/// is off), whose <c>Message</c> is the AWS Config message to publish again. Its <c>TopicArn</c> is only shown, never
/// used as the destination. Pure: no I/O.
/// </summary>
/// <param name="Message">The inner Config message, published again unchanged (so its configurationStateId, and with it
/// the ledger's change key, stays the same).</param>
/// <param name="Subject">Published again when present, like Config's original.</param>
/// <param name="MessageId">The original SNS MessageId, for the operator's report.</param>
internal sealed record DeadLetterBody(string Message, string? Subject, string? MessageId)
{
    /// <summary>The envelope's inner message, or null with the reason it cannot be replayed.</summary>
    public static DeadLetterBody? Parse(string body, out string? problem)
    {
        problem = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("Type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                problem = "not an SNS envelope (no Type): raw message delivery must be off for the endpoint's subscription";
                return null;
            }

            if (type.GetString() != "Notification")
            {
                problem = "an SNS " + type.GetString() + ", not a Notification: nothing to replay";
                return null;
            }

            if (!root.TryGetProperty("Message", out var message) || message.ValueKind != JsonValueKind.String || message.GetString() is not { Length: > 0 } text)
            {
                problem = "the Notification has no Message";
                return null;
            }

            return new DeadLetterBody(text, String(root, "Subject"), String(root, "MessageId"));
        }
        catch (JsonException)
        {
            problem = "not JSON";
            return null;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
