using Microsoft.Extensions.Options;
using SgNotifier.Core.Email;

namespace SgNotifier.Core.Senders;

/// <summary>
/// Outermost handler of the e-mail clients: stamps each request with the end of its budget, so the retry strategy can
/// tell whether a provider's Retry-After still fits (<see cref="EmailRetry.DeadlineKey"/>).
/// </summary>
internal sealed class EmailDeadlineHandler(TimeProvider timeProvider, IOptions<EmailOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!request.Options.TryGetValue(EmailRetry.DeadlineKey, out _))
        {
            request.Options.Set(EmailRetry.DeadlineKey, timeProvider.GetUtcNow() + options.Value.Retry.TotalTimeout);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
