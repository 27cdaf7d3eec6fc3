namespace SgNotifier.Core.Routing;

/// <param name="Reason">Stable kebab-case code, e.g. <c>invalid-address</c> or <c>domain-not-allowed</c>.</param>
public sealed record RejectedRecipient(string Address, string Reason);
