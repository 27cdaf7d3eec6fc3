using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using SgNotifier.Core.Email;

namespace SgNotifier.Core.Senders;

/// <summary>
/// Amazon SES v2 <c>SendEmail</c> with Simple content (<c>POST /v2/email/outbound-emails</c>), over the named
/// <see cref="HttpClientName"/> client: resilience handler (retries only what SES cannot have taken) →
/// <see cref="SigV4SigningHandler"/> → sockets, so every attempt is signed afresh.
/// </summary>
/// <remarks>
/// <c>SendEmail</c> has no idempotency token, so a send whose answer never came cannot be repeated safely: it is
/// <see cref="SendStatus.Uncertain"/> with no <see cref="SendResult.Repeat"/>, and the ledger reports it instead of
/// resending (README "The remaining window").
/// </remarks>
public sealed class SesEmailSender : IEmailSender
{
    public const string HttpClientName = "SgNotifier.Email.Ses";

    /// <summary>
    /// The header that carries a temporary key's session token (AWS SigV4 docs, "Add the signature to the HTTP request").
    /// Set before signing, so the signature covers it.
    /// </summary>
    public const string SecurityTokenHeader = "X-Amz-Security-Token";

    // Throttling: SES v2 answers 429 TooManyRequestsException (botocore sesv2 model); the other names are the generic
    // AWS ones, should a front end answer with them.
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "TooManyRequestsException", "ThrottlingException", "Throttling",
    };

    // Authentication and authorisation: wrong, expired or not-yet-propagated keys, roles and policies. An operator
    // fixes these, so the delivery is retried (and finally dead-lettered by SNS), never recorded as rejected.
    private static readonly HashSet<string> AuthCodes = new(StringComparer.Ordinal)
    {
        "AccessDenied", "AccessDeniedException", "UnrecognizedClientException", "InvalidClientTokenId", "InvalidAccessKeyId",
        "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException",
        "MissingAuthenticationToken", "MissingAuthenticationTokenException", "ExpiredToken", "ExpiredTokenException",
        "RequestExpired", "NotAuthorized",
    };

    // Account-level refusals (botocore sesv2 SendEmail errors, all HTTP 400 except NotFoundException 404): they say
    // nothing about this change's mail, and an operator lifts them (pause, suspension, MAIL FROM verification, a
    // configuration set or identity that does not exist yet). Retried, so SNS dead-letters rather than drops.
    private static readonly HashSet<string> AccountCodes = new(StringComparer.Ordinal)
    {
        "AccountSuspendedException", "SendingPausedException", "MailFromDomainNotVerifiedException", "NotFoundException",
    };

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly EmailOptions _options;
    private readonly Uri _sendUri;
    private readonly ILogger<SesEmailSender> _logger;

    public SesEmailSender(IHttpClientFactory httpClientFactory, IOptions<EmailOptions> options, ILogger<SesEmailSender> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _sendUri = new Uri(BaseUri(_options.Ses), "v2/email/outbound-emails");
        _logger = logger;
    }

    public string Provider => "ses";

    /// <summary>
    /// A region where SES has an API endpoint: SES exists only in the <c>aws</c> and <c>aws-us-gov</c> partitions (AWS
    /// General Reference, "Amazon Simple Email Service endpoints and quotas"), so <c>cn-*</c> (aws-cn) and the isolated
    /// partitions (<c>us-iso-*</c>, <c>us-isob-*</c>, <c>eu-isoe-*</c>, …) are refused at start instead of failing every
    /// send transiently for ever.
    /// </summary>
    public static bool IsSesRegion(string? region) =>
        AwsConsoleLinks.IsRegion(region) && !region!.StartsWith("cn-", StringComparison.Ordinal) &&
        !region.Contains("-iso", StringComparison.Ordinal);

    /// <summary><c>Email:Ses:ServiceUrl</c> when set (an emulator), else <c>https://email.&lt;region&gt;.amazonaws.com/</c>.</summary>
    public static Uri BaseUri(EmailOptions.SesSettings ses)
    {
        ArgumentNullException.ThrowIfNull(ses);
        var uri = ses.ServiceUrl ?? new Uri($"https://email.{ses.Region}.amazonaws.com/");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>
    /// The primary handler of the SES client. Explicit keys when configured (with <c>Email:Ses:SessionToken</c>, a
    /// temporary key); otherwise no credentials here, which makes AWSSDK's signer resolve the default chain
    /// (environment, profile, container/instance role) on each request through
    /// <c>DefaultAWSCredentialsIdentityResolver</c>, which caches and refreshes them process-wide. A chain that
    /// resolves nothing throws <see cref="AmazonClientException"/> from the signer: <c>credentials-unavailable</c>.
    /// </summary>
    public static HttpMessageHandler CreateSigningHandler(EmailOptions options, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ses = options.Ses;
        AWSCredentials? credentials = string.IsNullOrEmpty(ses.AccessKeyId) ? null
            : string.IsNullOrEmpty(ses.SessionToken) ? new BasicAWSCredentials(ses.AccessKeyId, ses.SecretAccessKey)
            : new SessionAWSCredentials(ses.AccessKeyId, ses.SecretAccessKey, ses.SessionToken);
        var parameters = new AWSSigV4Parameters
        {
            Credentials = credentials,
            Region = RegionEndpoint.GetBySystemName(ses.Region),
            Service = "ses",
        };
        // The signer's own docs: redirects must not be followed below it, or the redirected hop goes out unsigned.
        var signer = new SigV4SigningHandler(
            parameters, innerHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false, ConnectTimeout = options.Retry.AttemptTimeout });
        return string.IsNullOrEmpty(ses.SessionToken) ? signer : new SecurityTokenHandler(ses.SessionToken) { InnerHandler = signer };
    }

    public async Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        using var request = new HttpRequestMessage(HttpMethod.Post, _sendUri)
        {
            Content = new ByteArrayContent(Body(email, _options.From!, _options.Ses.ConfigurationSetName)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var client = _httpClientFactory.CreateClient(HttpClientName);
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken);
        }
        catch (Exception e) when (Classify(e, cancellationToken, repeat: null) is { } failed)
        {
            LogTransportFailure(_logger, Provider, failed, e);
            return failed;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var messageId = ReadMessageId(body) ?? "(none)";
                _logger.MailAccepted(Provider, messageId, email.To.Count, AddressMask.MaskAll(email.To));
                return SendResult.Sent(messageId);
            }

            var (errorCode, message) = ProviderError.Aws(response, body);
            var status = (int)response.StatusCode;
            errorCode ??= "Http" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var detail = message ?? response.ReasonPhrase ?? errorCode;
            _logger.ProviderErrorDetail(Provider, detail);
            var result = Classify(response.StatusCode, errorCode, detail);
            LogProviderAnswer(_logger, Provider, result, status);
            return result;
        }
    }

    /// <summary>What an SES error answer means for this change's mail; codes and statuses as the botocore sesv2 model defines them.</summary>
    internal static SendResult Classify(HttpStatusCode status, string errorCode, string detail)
    {
        if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || AuthCodes.Contains(errorCode))
        {
            return SendResult.Transient(errorCode, detail, NotifyReasons.ProviderAuthFailed);
        }

        if (EmailRetry.NothingProcessed(status) || ThrottlingCodes.Contains(errorCode))
        {
            return SendResult.Transient(errorCode, detail);
        }

        if ((int)status >= 500)
        {
            // 500, 502, 504: SES (or a gateway in front of it) failed while handling the request; it may have been taken.
            return SendResult.Uncertain(errorCode, detail, repeat: null);
        }

        return AccountCodes.Contains(errorCode)
            ? SendResult.Transient(errorCode, detail, NotifyReasons.ProviderAccountBlocked)
            : SendResult.Permanent(errorCode, detail);
    }

    /// <summary>
    /// A failure to get any answer. Transient when the request can never have reached the provider (no connection,
    /// no credentials); uncertain once it may have (timed out, connection lost after sending), repeated only as
    /// <paramref name="repeat"/>. Null for the caller's own cancellation.
    /// </summary>
    internal static SendResult? Classify(Exception exception, CancellationToken cancellationToken, UncertainSend? repeat) => exception switch
    {
        AmazonClientException => SendResult.Transient(
            "CredentialsUnavailable", "no AWS credentials could be resolved for SES (explicit keys or the default chain)", NotifyReasons.CredentialsUnavailable),
        _ when EmailRetry.NeverSent(exception) => SendResult.Transient("ConnectionFailed", exception.Message),
        _ when cancellationToken.IsCancellationRequested => null,
        HttpRequestException => SendResult.Uncertain("ConnectionLost", exception.Message, repeat),
        TimeoutRejectedException or OperationCanceledException => SendResult.Uncertain("Timeout", "no answer within Email:Retry:TotalTimeout", repeat),
        _ => null,
    };

    internal static void LogTransportFailure(ILogger logger, string provider, SendResult failed, Exception exception)
    {
        if (failed.Status == SendStatus.Uncertain)
        {
            logger.MailFateUnknown(provider, failed.ErrorCode!, exception);
        }
        else
        {
            logger.MailTransportFailed(provider, failed.ErrorCode!, exception);
        }
    }

    internal static void LogProviderAnswer(ILogger logger, string provider, SendResult result, int status)
    {
        switch (result.Status)
        {
            case SendStatus.Transient:
                logger.MailDeferred(provider, result.ErrorCode!, status);
                break;
            case SendStatus.Uncertain:
                logger.MailFateUnknownAnswer(provider, result.ErrorCode!, status);
                break;
            default:
                logger.MailRefused(provider, result.ErrorCode!, status);
                break;
        }
    }

    internal static byte[] Body(OutgoingEmail email, string from, string? configurationSetName)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("FromEmailAddress", from);
            json.WriteStartObject("Destination");
            json.WriteStartArray("ToAddresses");
            foreach (var to in email.To)
            {
                json.WriteStringValue(to);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("Content");
            json.WriteStartObject("Simple");
            WriteText(json, "Subject", email.Content.Subject);
            json.WriteStartObject("Body");
            WriteText(json, "Text", email.Content.Text);
            WriteText(json, "Html", email.Content.Html);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
            if (!string.IsNullOrEmpty(configurationSetName))
            {
                json.WriteString("ConfigurationSetName", configurationSetName);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteText(Utf8JsonWriter json, string name, string data)
    {
        json.WriteStartObject(name);
        json.WriteString("Data", data);
        json.WriteString("Charset", "UTF-8");
        json.WriteEndObject();
    }

    private static string? ReadMessageId(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object &&
                   document.RootElement.TryGetProperty("MessageId", out var id) && id.ValueKind == JsonValueKind.String
                ? id.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Adds a temporary key's session token above the signer: AWSSDK's SigV4 handler signs the headers it finds.</summary>
    private sealed class SecurityTokenHandler(string sessionToken) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Remove(SecurityTokenHeader);
            request.Headers.TryAddWithoutValidation(SecurityTokenHeader, sessionToken);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
