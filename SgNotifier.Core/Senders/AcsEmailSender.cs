using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;
using SgNotifier.Core.Email;

namespace SgNotifier.Core.Senders;

/// <summary>
/// Azure Communication Services <c>emails:send</c> over an Azure.Core <see cref="HttpPipeline"/>, authenticated by the
/// connection string's access key (HMAC) or by Entra ID (<c>DefaultAzureCredential</c>) when only an endpoint is set.
/// The transport is the named <see cref="HttpClientName"/> client, whose resilience handler does the bounded retries;
/// Azure.Core's own retry is off so the two do not multiply.
/// </summary>
public sealed class AcsEmailSender : IEmailSender
{
    public const string HttpClientName = "SgNotifier.Email.Acs";
    public const string ApiVersion = "2023-03-31";
    public const string Scope = "https://communication.azure.com//.default";

    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly EmailOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AcsEmailSender> _logger;
    private readonly Uri _endpoint;
    private readonly HttpPipelinePolicy _authentication;

    public AcsEmailSender(
        IHttpClientFactory httpClientFactory, IOptions<EmailOptions> options, TimeProvider timeProvider, ILogger<AcsEmailSender> logger)
        : this(httpClientFactory, options, timeProvider, logger, null)
    {
    }

    /// <param name="credential">Used when no connection string is configured; null means <c>DefaultAzureCredential</c>.</param>
    public AcsEmailSender(
        IHttpClientFactory httpClientFactory, IOptions<EmailOptions> options, TimeProvider timeProvider, ILogger<AcsEmailSender> logger,
        TokenCredential? credential)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
        if (AcsConnectionString.TryParse(_options.Acs.ConnectionString, out var connection))
        {
            _endpoint = connection!.Endpoint;
            _authentication = new AcsHmacAuthenticationPolicy(connection.AccessKey, timeProvider);
        }
        else
        {
            _endpoint = _options.Acs.Endpoint
                ?? throw new InvalidOperationException("Email:Acs:ConnectionString or Email:Acs:Endpoint is required when Email:Provider is Acs");
            _authentication = new BearerTokenAuthenticationPolicy(credential ?? new DefaultAzureCredential(), Scope);
        }
    }

    public string Provider => "acs";

    /// <summary>
    /// A UUID (RFC 9562 version 8) from the SHA-256 of the idempotency key: the same change always sends the same
    /// <c>Operation-Id</c>, so ACS and its logs can recognise a retry.
    /// </summary>
    public static string OperationIdFor(string idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(idempotencyKey);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey), hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true).ToString("D");
    }

    public async Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var pipeline = CreatePipeline();
        var operationId = OperationIdFor(email.IdempotencyKey);
        using var message = pipeline.CreateMessage();
        var request = message.Request;
        request.Method = RequestMethod.Post;
        request.Uri.Reset(new Uri(_endpoint.AbsoluteUri.TrimEnd('/') + "/emails:send?api-version=" + ApiVersion));
        request.Headers.SetValue("Content-Type", "application/json");
        request.Headers.SetValue("Operation-Id", operationId);
        request.Content = RequestContent.Create(Body(email, _options.From!));

        try
        {
            await pipeline.SendAsync(message, cancellationToken);
        }
        catch (Exception e) when (Classify(e, cancellationToken) is { } code)
        {
            _logger.MailTransportFailed(Provider, code, e);
            return SendResult.Transient(code, e.Message);
        }

        var response = message.Response;
        if (response.Status is 202 or 200)
        {
            _logger.MailAccepted(Provider, operationId, email.To.Count, AddressMask.MaskAll(email.To));
            if (response.Headers.TryGetValue("Operation-Location", out var location) &&
                Uri.TryCreate(location, UriKind.Absolute, out var operationUri))
            {
                await PollAsync(pipeline, operationUri, operationId, RetryAfter(response), cancellationToken);
            }

            return SendResult.Sent(operationId);
        }

        response.Headers.TryGetValue("x-ms-error-code", out var headerCode);
        var (errorCode, errorMessage) = ProviderError.Azure(headerCode, response.Content.ToString());
        errorCode ??= "Http" + response.Status.ToString(CultureInfo.InvariantCulture);
        var detail = errorMessage ?? response.ReasonPhrase ?? errorCode;
        _logger.ProviderErrorDetail(Provider, detail);
        if (response.Status is 429 or 408 || response.Status >= 500)
        {
            _logger.MailDeferred(Provider, errorCode, response.Status);
            return SendResult.Transient(errorCode, detail);
        }

        _logger.MailRefused(Provider, errorCode, response.Status);
        return SendResult.Permanent(errorCode, detail);
    }

    internal static byte[] Body(OutgoingEmail email, string from)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("senderAddress", from);
            json.WriteStartObject("recipients");
            json.WriteStartArray("to");
            foreach (var to in email.To)
            {
                json.WriteStartObject();
                json.WriteString("address", to);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartObject("content");
            json.WriteString("subject", email.Content.Subject);
            json.WriteString("plainText", email.Content.Text);
            json.WriteString("html", email.Content.Html);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string? Classify(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        // Azure.Core reports a transport failure (no response at all) as RequestFailedException with status 0.
        RequestFailedException { Status: 0 } => "ConnectionFailed",
        _ => SesEmailSender.Classify(exception, cancellationToken),
    };

    private HttpPipeline CreatePipeline()
    {
        var options = new PipelineOptions { Transport = new HttpClientTransport(_httpClientFactory.CreateClient(HttpClientName)) };
        options.Retry.MaxRetries = 0;
        options.Diagnostics.IsLoggingEnabled = false;
        return HttpPipelineBuilder.Build(options, _authentication);
    }

    /// <summary>Reads the final status while the poll budget lasts; it only informs the logs, the mail is already accepted.</summary>
    private async Task PollAsync(HttpPipeline pipeline, Uri operationUri, string operationId, TimeSpan? retryAfter, CancellationToken cancellationToken)
    {
        var budget = _options.Acs.PollBudget;
        if (budget <= TimeSpan.Zero)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(budget, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var status = "Running";
        var delay = retryAfter ?? TimeSpan.Zero;
        try
        {
            while (true)
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _timeProvider, linked.Token);
                }

                using var poll = pipeline.CreateMessage();
                poll.Request.Method = RequestMethod.Get;
                poll.Request.Uri.Reset(operationUri);
                await pipeline.SendAsync(poll, linked.Token);
                if (poll.Response.Status != 200)
                {
                    _logger.AcsPollFailed(operationId, "HTTP " + poll.Response.Status.ToString(CultureInfo.InvariantCulture));
                    return;
                }

                (status, var errorCode) = ReadOperation(poll.Response.Content.ToString());
                switch (status)
                {
                    case "Succeeded":
                        _logger.AcsOperationFinished(operationId, status);
                        return;
                    case "Failed" or "Canceled":
                        _logger.AcsOperationFailed(operationId, status, errorCode ?? "(none)");
                        return;
                }

                delay = RetryAfter(poll.Response) ?? DefaultPollInterval;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            _logger.AcsOperationPending(operationId, status);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or JsonException or TimeoutRejectedException ||
                                  (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.AcsPollFailed(operationId, e.GetType().Name);
        }
    }

    private static (string Status, string? ErrorCode) ReadOperation(string body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var status = root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : "Unknown";
        var code = root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object &&
                   error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String
            ? c.GetString()
            : null;
        return (status, code);
    }

    private static TimeSpan? RetryAfter(Response response) =>
        response.Headers.TryGetValue("retry-after", out var value) &&
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(seconds)
            : null;

    private sealed class PipelineOptions : ClientOptions
    {
    }
}
