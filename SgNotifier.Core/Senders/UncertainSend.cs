namespace SgNotifier.Core.Senders;

/// <summary>
/// A send whose fate is unknown and that the provider can recognise when it is repeated: which claim attempt made the
/// request (its ids derive from it) and when that request was first sent. Kept in the ledger between deliveries, so a
/// redelivery repeats exactly the same request.
/// </summary>
public sealed record UncertainSend(int Attempt, DateTimeOffset FirstSentAt);
