using SgNotifier.Core.Senders;

namespace SgNotifier.Benchmarks.Composition;

/// <summary>The end of the measured path: takes the rendered mail and keeps the last one, so setup can check it.</summary>
internal sealed class InMemoryEmailSender : IEmailSender
{
    private static readonly SendResult Accepted = SendResult.Sent("in-memory");

    public string Provider => "in-memory";

    public OutgoingEmail? Last { get; private set; }

    public Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        Last = email;
        return Task.FromResult(Accepted);
    }
}
