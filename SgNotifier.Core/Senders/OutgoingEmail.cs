using SgNotifier.Core.Email;

namespace SgNotifier.Core.Senders;

/// <param name="IdempotencyKey">Stable per change (the decision's dedupe key); providers that support it use it to recognise a retry.</param>
public sealed record OutgoingEmail(IReadOnlyList<string> To, RenderedEmail Content, string IdempotencyKey)
{
    /// <summary>The ledger's claim attempt: a fresh send of attempt n carries its own request ids, so a refusal of attempt n−1 is never replayed to it.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>An earlier send of this change whose fate is unknown: repeat that very request instead of a fresh one.</summary>
    public UncertainSend? Repeat { get; init; }

    /// <summary>The key a provider's request ids derive from for <paramref name="attempt"/>: the plain key for the first.</summary>
    public string RequestKey(int attempt) =>
        attempt <= 1 ? IdempotencyKey : IdempotencyKey + "#" + attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
