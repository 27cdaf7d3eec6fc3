using System.Net;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
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

    /// <summary>The client of signed confirmations: <see cref="CreateSigningHandler"/> over sockets that follow no redirects.</summary>
    public const string SignedHttpClientName = "SgNotifier.SnsConfirmSigned";

    /// <summary>The header of a temporary key's session token, added and signed by the SigV4 signer.</summary>
    public const string SecurityTokenHeader = "X-Amz-Security-Token";

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

    /// <summary>
    /// The SigV4 signer of authenticated confirmations, signing for the topic's region (set per request). The
    /// credential source is here, in one place: <c>Sns:AccessKeyId</c>/<c>Sns:SecretAccessKey</c> (with
    /// <c>Sns:SessionToken</c>, a temporary key whose token is sent as a signed <c>X-Amz-Security-Token</c>), else the
    /// default AWS chain (resolved and refreshed by the SDK per request). Per-account credentials plug in here.
    /// </summary>
    public static SigV4SigningHandler CreateSigningHandler(SnsOptions options, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        AWSCredentials? credentials = string.IsNullOrEmpty(options.AccessKeyId) ? null
            : string.IsNullOrEmpty(options.SessionToken) ? new BasicAWSCredentials(options.AccessKeyId, options.SecretAccessKey)
            : new SessionAWSCredentials(options.AccessKeyId, options.SecretAccessKey, options.SessionToken);
        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = RegionEndpoint.USEast1,
            Service = "sns",
        };
        // With SessionAWSCredentials, AWSSDK.Core's SigV4SigningHandler itself adds X-Amz-Security-Token and signs it
        // (pinned by SnsSubscriptionConfirmerTests): no handler of ours adds it, so it is sent once.
        return new SigV4SigningHandler(parameters, innerHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
    }

    /// <summary>
    /// The Query API request of an authenticated confirmation (https://docs.aws.amazon.com/sns/latest/api/API_ConfirmSubscription.html):
    /// with <c>AuthenticateOnUnsubscribe=true</c>, unsubscribing needs the topic owner's signature.
    /// </summary>
    public static HttpRequestMessage SignedConfirmRequest(TopicArn topic, string topicArn, string token)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"https://{topic.SnsHost}/"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Action"] = "ConfirmSubscription",
                ["Version"] = "2010-03-31",
                ["TopicArn"] = topicArn,
                ["Token"] = token,
                ["AuthenticateOnUnsubscribe"] = "true",
            }),
        };
        request.Options.Set(new HttpRequestOptionsKey<string>(SigV4SigningHandler.RegionOptionKey), topic.Region);
        return request;
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
            using var response = _options.AuthenticatedConfirm
                ? await _httpClientFactory.CreateClient(SignedHttpClientName).SendAsync(SignedConfirmRequest(topic, message.TopicArn, message.Token), timeout.Token)
                : await _httpClientFactory.CreateClient(HttpClientName).GetAsync(ConfirmUrl(topic, message.TopicArn, message.Token), timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                _logger.SubscriptionConfirmed(message.TopicArn);
                if (!_options.AuthenticatedConfirm)
                {
                    // Anyone holding the SubscriptionArn (it travels in every delivery) can unsubscribe it unsigned.
                    _logger.SubscriptionNotAuthenticated(message.TopicArn, ReconfirmCommand(message.TopicArn, "<Token of the SubscriptionConfirmation>"));
                }

                return ConfirmationStatus.Confirmed;
            }

            var transient = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
            _logger.SubscriptionConfirmFailed(message.TopicArn, (int)response.StatusCode);
            return transient ? ConfirmationStatus.Unavailable : ConfirmationStatus.Failed;
        }
        catch (Exception exception) when (exception is AmazonClientException && !cancellationToken.IsCancellationRequested)
        {
            // No credentials could be resolved for the signature: nothing was sent; SNS repeats the confirmation.
            _logger.SubscriptionConfirmUnavailable(message.TopicArn, exception.GetType().Name);
            return ConfirmationStatus.Unavailable;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException ||
                                          (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.SubscriptionConfirmUnavailable(message.TopicArn, exception.GetType().Name);
            return ConfirmationStatus.Unavailable;
        }
    }

    /// <summary>The AWS CLI command that (re)confirms a subscription so that unsubscribing needs authentication.</summary>
    public static string ReconfirmCommand(string topicArn, string token) =>
        $"aws sns confirm-subscription --region {(TopicArn.TryParse(topicArn, out var topic) ? topic.Region : "<region>")} --topic-arn {topicArn} --token {token} --authenticate-on-unsubscribe true";
}
