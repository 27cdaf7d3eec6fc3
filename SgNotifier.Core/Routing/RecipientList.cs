namespace SgNotifier.Core.Routing;

/// <param name="Addresses">Valid addresses: lower-case, distinct, sorted.</param>
public sealed record RecipientList(IReadOnlyList<string> Addresses, IReadOnlyList<RejectedRecipient> Rejected);
