using System.Net;
using Polly.Timeout;

namespace SgNotifier.Core.Senders;

/// <summary>
/// Which attempts of the e-mail clients may be repeated inside one request, and what a failure that escaped the retries
/// means. A send is not idempotent (SES <c>SendEmail</c> has no idempotency token), so a POST is retried only when the
/// provider cannot have taken it: the connection was never made, or the answer was 429/503, which state that nothing
/// was processed. A timed-out or cut-off POST is never retried here; the ledger decides what happens to it
/// (<see cref="SendStatus.Uncertain"/>). GETs (the ACS status poll) are safe to retry on any transient failure.
/// </summary>
internal static class EmailRetry
{
    /// <summary>When the request's whole budget (<c>Email:Retry:TotalTimeout</c>) ends; set once, by <see cref="EmailDeadlineHandler"/>.</summary>
    public static readonly HttpRequestOptionsKey<DateTimeOffset> DeadlineKey = new("SgNotifier.Email.Deadline");

    /// <summary>The longest backoff between attempts when the provider names no Retry-After.</summary>
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(400);

    /// <summary>What an attempt after a wait needs at least; a Retry-After that leaves less is answered by SNS's redelivery instead.</summary>
    public static readonly TimeSpan MinimumAttempt = TimeSpan.FromSeconds(1);

    /// <summary>The wait before attempt <paramref name="attempt"/> + 2: the provider's Retry-After, else 0.4, 0.8, 1.6, 2, 2 … s.</summary>
    public static TimeSpan Delay(HttpResponseMessage? response, int attempt, DateTimeOffset now) =>
        (response is null ? null : RetryAfter(response, now)) ??
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, FirstBackoff.Ticks << Math.Min(attempt, 8)));

    public static bool MayRetry(HttpRequestMessage? request, HttpResponseMessage? response, Exception? exception, int attempt, DateTimeOffset now)
    {
        var idempotent = (request ?? response?.RequestMessage)?.Method == HttpMethod.Get;
        bool worthIt;
        if (exception is not null)
        {
            worthIt = NeverSent(exception) || (idempotent && exception is HttpRequestException or TimeoutRejectedException);
        }
        else if (response is not null)
        {
            var status = (int)response.StatusCode;
            worthIt = status is 429 or 503 || (idempotent && (status is 408 || status >= 500));
        }
        else
        {
            worthIt = false;
        }

        if (!worthIt)
        {
            return false;
        }

        // Honour Retry-After only when the wait and one more attempt still fit in the request's budget.
        var wait = Delay(response, attempt, now);
        var message = request ?? response?.RequestMessage;
        return message is null || !message.Options.TryGetValue(DeadlineKey, out var deadline) || now + wait + MinimumAttempt <= deadline;
    }

    /// <summary>
    /// The connection was never established (refused, DNS, TLS handshake, <c>ConnectTimeout</c>): the provider never saw
    /// the request. <see cref="HttpRequestError"/> tells these apart from a connection lost after sending.
    /// </summary>
    public static bool NeverSent(Exception exception) => exception switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError } => true,
        // SocketsHttpHandler reports its ConnectTimeout as a cancellation wrapping a TimeoutException (HttpClient.Timeout,
        // which does the same, is infinite on these clients).
        OperationCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); ACS sends it lower-case.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta;
        }

        return header?.Date is { } date ? (date > now ? date - now : TimeSpan.Zero) : null;
    }

    /// <summary>Whether a status is 408/429/503: the provider says it processed nothing.</summary>
    public static bool NothingProcessed(HttpStatusCode status) => status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout;
}
