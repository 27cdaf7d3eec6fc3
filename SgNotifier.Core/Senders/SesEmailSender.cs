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
/// <see cref="HttpClientName"/> client: resilience handler (bounded retries) → <see cref="SigV4SigningHandler"/> →
/// sockets, so every attempt is signed afresh.
/// </summary>
public sealed class SesEmailSender : IEmailSender
{
    public const string HttpClientName = "SgNotifier.Email.Ses";

    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "TooManyRequestsException", "LimitExceededException", "ThrottlingException", "Throttling",
        "ServiceUnavailable", "ServiceUnavailableException", "InternalFailure", "InternalServerError",
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

    /// <summary><c>Email:Ses:ServiceUrl</c> when set (an emulator), else <c>https://email.&lt;region&gt;.amazonaws.com/</c>.</summary>
    public static Uri BaseUri(EmailOptions.SesSettings ses)
    {
        ArgumentNullException.ThrowIfNull(ses);
        var uri = ses.ServiceUrl ?? new Uri($"https://email.{ses.Region}.amazonaws.com/");
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>
    /// The primary handler of the SES client. Explicit keys when configured; otherwise no credentials here, which makes
    /// AWSSDK's signer resolve the default chain (environment, profile, container/instance role) on each request
    /// through <c>DefaultAWSCredentialsIdentityResolver</c>, which caches and refreshes them process-wide.
    /// </summary>
    public static SigV4SigningHandler CreateSigningHandler(EmailOptions.SesSettings ses, HttpMessageHandler? innerHandler = null)
    {
        ArgumentNullException.ThrowIfNull(ses);
        var parameters = new AWSSigV4Parameters
        {
            Credentials = string.IsNullOrEmpty(ses.AccessKeyId) ? null : new BasicAWSCredentials(ses.AccessKeyId, ses.SecretAccessKey),
            Region = RegionEndpoint.GetBySystemName(ses.Region),
            Service = "ses",
        };
        // The signer's own docs: redirects must not be followed below it, or the redirected hop goes out unsigned.
        return new SigV4SigningHandler(parameters, innerHandler ?? new SocketsHttpHandler { AllowAutoRedirect = false });
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
        catch (Exception e) when (Classify(e, cancellationToken) is { } code)
        {
            _logger.MailTransportFailed(Provider, code, e);
            return SendResult.Transient(code, e.Message);
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
            if (IsTransient(response.StatusCode, errorCode))
            {
                _logger.MailDeferred(Provider, errorCode, status);
                return SendResult.Transient(errorCode, detail);
            }

            _logger.MailRefused(Provider, errorCode, status);
            return SendResult.Permanent(errorCode, detail);
        }
    }

    internal static bool IsTransient(HttpStatusCode status, string errorCode) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500 ||
        ThrottlingCodes.Contains(errorCode);

    /// <summary>A failure to get any answer: connection refused or reset, DNS, a timeout. Null for the caller's own cancellation.</summary>
    internal static string? Classify(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        TimeoutRejectedException => "Timeout",
        HttpRequestException => "ConnectionFailed",
        OperationCanceledException when !cancellationToken.IsCancellationRequested => "Timeout",
        _ => null,
    };

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
}
