using System.Text.Json;
using SgNotifier.Core.Email;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sns;

namespace SgNotifier.Core;

/// <summary>The answer to one SNS delivery, with everything known about it for the CLI's preview.</summary>
/// <param name="Reason">Stable kebab-case code (README "Reason codes").</param>
/// <param name="Detail">One human sentence; never contains message bodies or secrets.</param>
/// <param name="Retry">A transient failure: answer 503 so SNS delivers again.</param>
public sealed record DeliveryResult(
    DeliveryOutcome Outcome,
    string Reason,
    string Detail,
    bool Retry = false,
    SnsMessage? Message = null,
    ChangeDecision? Decision = null,
    RenderedEmail? Email = null)
{
    /// <summary>The answers for the other groups of a call on several groups (a tag call); this one is the most urgent.</summary>
    public IReadOnlyList<DeliveryResult> Others { get; init; } = [];

    /// <summary>
    /// The HTTP status for SNS: 4xx is never retried by SNS, so it is kept for messages that can never succeed;
    /// 503 asks for a retry.
    /// </summary>
    public int HttpStatus => (Outcome, Retry) switch
    {
        (_, true) => 503,
        (DeliveryOutcome.Malformed, _) when Reason == SnsReasons.TooLarge => 413,
        (DeliveryOutcome.Malformed, _) => 400,
        (DeliveryOutcome.Rejected, _) => 403,
        _ => 200,
    };

    public string OutcomeName => Outcome switch
    {
        DeliveryOutcome.Notify => "notify",
        DeliveryOutcome.Ignored => "ignored",
        DeliveryOutcome.Rejected => "rejected",
        DeliveryOutcome.Malformed => "malformed",
        DeliveryOutcome.SubscriptionConfirmation => "subscription-confirmation",
        DeliveryOutcome.UnsubscribeConfirmation => "unsubscribe-confirmation",
        _ => throw new InvalidOperationException("unknown outcome " + Outcome),
    };

    /// <summary>The small JSON body answered to SNS (and shown to whoever calls the endpoint): outcome and reason only.</summary>
    public string ToResponseBody()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("outcome", OutcomeName);
            writer.WriteString("reason", Reason);
            writer.WriteString("detail", Detail);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static DeliveryResult Malformed(string reason, string detail) => new(DeliveryOutcome.Malformed, reason, detail);
}
