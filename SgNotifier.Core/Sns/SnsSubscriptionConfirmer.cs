using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Sns;

/// <summary>
/// Confirms a subscription by calling <c>ConfirmSubscription</c> on the topic region's SNS host, built from the
/// verified TopicArn and Token. The message's own SubscribeURL is never fetched: following it is the SSRF of
/// CVE-2026-32096 and CVE-2019-6715. The HTTP client follows no redirects (see the composition).
/// </summary>
public sealed class SnsSubscriptionConfirmer
{
    public const string HttpClientName = "SgNotifier.SnsConfirm";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly SnsOptions _options;
    private readonly ILogger<SnsSubscriptionConfirmer> _logger;

    public SnsSubscriptionConfirmer(IHttpClientFactory httpClientFactory, IOptions<SnsOptions> options, ILogger<SnsSubscriptionConfirmer> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>The ConfirmSubscription URL for a verified confirmation message.</summary>
    public static Uri ConfirmUrl(TopicArn topic, string topicArn, string token)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return new Uri($"https://{topic.SnsHost}/?Action=ConfirmSubscription&TopicArn={Uri.EscapeDataString(topicArn)}&Token={Uri.EscapeDataString(token)}");
    }

    public async Task<ConfirmationStatus> ConfirmAsync(SnsMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!TopicArn.TryParse(message.TopicArn, out var topic) || string.IsNullOrEmpty(message.Token))
        {
            return ConfirmationStatus.Failed;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConfirmTimeout);
        try
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(ConfirmUrl(topic, message.TopicArn, message.Token), timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                _logger.SubscriptionConfirmed(message.TopicArn);
                return ConfirmationStatus.Confirmed;
            }

            var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            _logger.SubscriptionConfirmFailed(message.TopicArn, (int)response.StatusCode);
            return transient ? ConfirmationStatus.Unavailable : ConfirmationStatus.Failed;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException ||
                                          (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.SubscriptionConfirmUnavailable(message.TopicArn, exception.GetType().Name);
            return ConfirmationStatus.Unavailable;
        }
    }
}
