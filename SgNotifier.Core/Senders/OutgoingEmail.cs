using SgNotifier.Core.Email;

namespace SgNotifier.Core.Senders;

/// <param name="IdempotencyKey">Stable per change (the decision's dedupe key); providers that support it use it to recognise a retry.</param>
public sealed record OutgoingEmail(IReadOnlyList<string> To, RenderedEmail Content, string IdempotencyKey);
