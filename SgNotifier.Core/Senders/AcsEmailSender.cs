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
/// The transport is the named <see cref="HttpClientName"/> client, whose resilience handler retries only what ACS
/// cannot have taken; Azure.Core's own retry is off so the two do not multiply.
/// </summary>
/// <remarks>
/// Every send is a repeatable request (Communication REST docs, "repeatable requests"; OASIS Repeatable Requests 1.0):
/// <c>Repeatability-Request-Id</c> and <c>Operation-Id</c> are one UUID derived from the change key and the ledger's
/// claim attempt, <c>Repeatability-First-Sent</c> is when that request was first sent. A send whose answer never came
/// is repeated by the next delivery with exactly those headers (the ledger keeps them), and ACS answers the repeat with
/// the original's result instead of sending again. ACS tracks a request for 5 minutes; a later repeat gets 412, and the
/// sender then asks for the operation itself: found means the first send was accepted, 404 that it never arrived.
/// </remarks>
public sealed class AcsEmailSender : IEmailSender, IDisposable
{
    public const string HttpClientName = "SgNotifier.Email.Acs";

    /// <summary>The newer GA version and the .NET SDK's default; the fields used here are the same as in 2023-03-31.</summary>
    public const string ApiVersion = "2025-09-01";
    public const string Scope = "https://communication.azure.com//.default";

    /// <summary>How long ACS recognises a repeated request ("repeatable requests": 5 minutes).</summary>
    public static readonly TimeSpan RepeatabilityWindow = TimeSpan.FromMinutes(5);

    /// <summary>How long a status check left over from a send goes on in the background.</summary>
    public static readonly TimeSpan StatusCheckHorizon = TimeSpan.FromMinutes(10);

    /// <summary>At most this many background status checks at once; beyond, the check is skipped (logged).</summary>
    public const int MaxPendingStatusChecks = 200;

    private static readonly TimeSpan DefaultPollInterval = TimeSpan.FromSeconds(1);

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly EmailOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<AcsEmailSender> _logger;
    private readonly Uri _endpoint;
    private readonly HttpPipelinePolicy _authentication;
    private readonly CancellationTokenSource _stopping = new();
    private int _pendingStatusChecks;
    private int _disposed;

    public AcsEmailSender(
        IHttpClientFactory httpClientFactory, IOptions<EmailOptions> options, TimeProvider timeProvider, ILogger<AcsEmailSender> logger)
        : this(httpClientFactory, options, timeProvider, logger, null)
    {
    }

    /// <param name="credential">Used when no connection string is configured; null means <c>DefaultAzureCredential</c>.</param>
    internal AcsEmailSender(
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

    /// <summary>How many background status checks are running (for tests and diagnostics).</summary>
    internal int PendingStatusChecks => Volatile.Read(ref _pendingStatusChecks);

    /// <summary>
    /// A UUID (RFC 9562 version 8) from the SHA-256 of a request key: the same change and attempt always send the same
    /// <c>Operation-Id</c> and <c>Repeatability-Request-Id</c>, so ACS recognises a repeat.
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

    /// <summary><c>Repeatability-First-Sent</c>: IMF-fixdate (RFC 9110 §5.6.7, the RFC 1123 form), whole seconds, UTC.</summary>
    public static string FirstSentHeader(DateTimeOffset firstSentAt) =>
        firstSentAt.UtcDateTime.ToString("r", CultureInfo.InvariantCulture);

    public async Task<SendResult> SendAsync(OutgoingEmail email, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(email);
        var pipeline = CreatePipeline();
        if (email.Repeat is not { } repeat)
        {
            return await SendFreshAsync(pipeline, email, cancellationToken);
        }

        var operationId = OperationIdFor(email.RequestKey(repeat.Attempt));
        _logger.AcsRepeated(operationId, repeat.Attempt, repeat.FirstSentAt);
        var (result, status) = await PostAsync(pipeline, email, repeat, cancellationToken);
        if (result.Status != SendStatus.Permanent && status != 412)
        {
            return result;
        }

        // Refused: a 412 (first sent outside the tracked window) or a 4xx that may concern the repeated ids rather than
        // the mail. The operation itself says whether the first send was taken; a mailed change is never "rejected".
        switch (await LookUpOperationAsync(pipeline, operationId, cancellationToken))
        {
            case (200, var operationStatus):
                _logger.AcsEarlierSendFound(operationId, operationStatus ?? "Unknown");
                return SendResult.Sent(operationId);
            case (404, _):
                // The first send never arrived: whatever refused the repeat (the window, a changed body) does not
                // concern a fresh request, whose own answer then decides.
                _logger.AcsEarlierSendNotFound(operationId, email.Attempt);
                return await SendFreshAsync(pipeline, email with { Repeat = null }, cancellationToken);
            default:
                // Not known yet: stay uncertain and try the same again on the next delivery.
                return SendResult.Uncertain(result.ErrorCode ?? "RepeatRefused", "the repeat was refused and the earlier operation could not be read", repeat);
        }
    }

    /// <summary>Stops the background status checks. Idempotent: the container disposes this instance once per registration that returned it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Cancel();
            _stopping.Dispose();
        }
    }

    private async Task<SendResult> SendFreshAsync(HttpPipeline pipeline, OutgoingEmail email, CancellationToken cancellationToken)
    {
        // Whole seconds: the header carries no more, and the ledger keeps exactly what was sent for a repeat.
        var now = _timeProvider.GetUtcNow();
        var request = new UncertainSend(email.Attempt, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
        return (await PostAsync(pipeline, email, request, cancellationToken)).Result;
    }

    /// <summary>One <c>emails:send</c> POST carrying <paramref name="request"/>'s ids; the status is 0 when no answer came.</summary>
    private async Task<(SendResult Result, int Status)> PostAsync(
        HttpPipeline pipeline, OutgoingEmail email, UncertainSend request, CancellationToken cancellationToken)
    {
        var operationId = OperationIdFor(email.RequestKey(request.Attempt));
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Post;
        message.Request.Uri.Reset(new Uri(_endpoint.AbsoluteUri.TrimEnd('/') + "/emails:send?api-version=" + ApiVersion));
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Headers.SetValue("Operation-Id", operationId);
        message.Request.Headers.SetValue("Repeatability-Request-Id", operationId);
        message.Request.Headers.SetValue("Repeatability-First-Sent", FirstSentHeader(request.FirstSentAt));
        message.Request.Content = RequestContent.Create(Body(email, _options.From!));

        try
        {
            await pipeline.SendAsync(message, cancellationToken);
        }
        catch (Exception e) when (Classify(e, cancellationToken, request) is { } failed)
        {
            SesEmailSender.LogTransportFailure(_logger, Provider, failed, e);
            return (failed, 0);
        }

        var response = message.Response;
        if (response.Status is 202 or 200)
        {
            _logger.MailAccepted(Provider, operationId, email.To.Count, AddressMask.MaskAll(email.To));
            if (response.Headers.TryGetValue("Operation-Location", out var location) &&
                Uri.TryCreate(location, UriKind.Absolute, out var operationUri))
            {
                await CheckStatusAsync(pipeline, operationUri, operationId, RetryAfter(response) ?? TimeSpan.Zero, cancellationToken);
            }

            return (SendResult.Sent(operationId), response.Status);
        }

        response.Headers.TryGetValue("x-ms-error-code", out var headerCode);
        var (errorCode, errorMessage) = ProviderError.Azure(headerCode, response.Content.ToString());
        errorCode ??= "Http" + response.Status.ToString(CultureInfo.InvariantCulture);
        var detail = errorMessage ?? response.ReasonPhrase ?? errorCode;
        _logger.ProviderErrorDetail(Provider, detail);
        var result = Classify(response.Status, errorCode, detail, request);
        SesEmailSender.LogProviderAnswer(_logger, Provider, result, response.Status);
        return (result, response.Status);
    }

    /// <summary>What an ACS error answer to a send means; <paramref name="request"/> is how to repeat it.</summary>
    internal static SendResult Classify(int status, string errorCode, string detail, UncertainSend request) => status switch
    {
        401 or 403 => SendResult.Transient(errorCode, detail, NotifyReasons.ProviderAuthFailed),
        408 or 429 or 503 => SendResult.Transient(errorCode, detail),
        // The original request with these ids is still being processed ("repeatable requests": 409).
        409 => SendResult.Uncertain(errorCode, detail, request),
        // Repeatability-First-Sent outside the tracked window: for a fresh send, this clock is off.
        412 => SendResult.Transient(errorCode, detail),
        // A 5xx original is executed again when repeated ("repeatable requests"), so repeating is safe.
        >= 500 => SendResult.Uncertain(errorCode, detail, request),
        _ => SendResult.Permanent(errorCode, detail),
    };

    private static SendResult? Classify(Exception exception, CancellationToken cancellationToken, UncertainSend request) => exception switch
    {
        // Azure.Core reports a transport failure (no response at all) as RequestFailedException with status 0.
        RequestFailedException { Status: 0, InnerException: { } inner } => SesEmailSender.Classify(inner, cancellationToken, request),
        RequestFailedException { Status: 0 } => SendResult.Uncertain("ConnectionLost", exception.Message, request),
        AuthenticationFailedException or CredentialUnavailableException =>
            SendResult.Transient("CredentialUnavailable", "no Entra ID token for ACS", NotifyReasons.ProviderAuthFailed),
        _ => SesEmailSender.Classify(exception, cancellationToken, request),
    };

    /// <summary><c>GET /emails/operations/{id}</c>: the HTTP status (0 when unreachable) and the operation's status.</summary>
    private async Task<(int Status, string? OperationStatus)> LookUpOperationAsync(HttpPipeline pipeline, string operationId, CancellationToken cancellationToken)
    {
        try
        {
            using var lookup = pipeline.CreateMessage();
            lookup.Request.Method = RequestMethod.Get;
            lookup.Request.Uri.Reset(OperationUri(operationId));
            await pipeline.SendAsync(lookup, cancellationToken);
            return lookup.Response.Status == 200
                ? (200, ReadOperation(lookup.Response.Content.ToString()).Status)
                : (lookup.Response.Status, null);
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or JsonException or TimeoutRejectedException ||
                                  (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            _logger.AcsPollFailed(operationId, e.GetType().Name);
            return (0, null);
        }
    }

    private Uri OperationUri(string operationId) =>
        new(_endpoint.AbsoluteUri.TrimEnd('/') + "/emails/operations/" + Uri.EscapeDataString(operationId) + "?api-version=" + ApiVersion);

    private HttpPipeline CreatePipeline()
    {
        var options = new PipelineOptions { Transport = new HttpClientTransport(_httpClientFactory.CreateClient(HttpClientName)) };
        options.Retry.MaxRetries = 0;
        options.Diagnostics.IsLoggingEnabled = false;
        return HttpPipelineBuilder.Build(options, _authentication);
    }

    /// <summary>
    /// Reads the final status while <c>Email:Acs:PollBudget</c> lasts, honouring ACS's <c>retry-after</c>. The mail is
    /// already accepted: a status that needs longer (ACS's examples wait 20–100 s) is checked in the background, in this
    /// process, for up to <see cref="StatusCheckHorizon"/>, and logged then (3010/3011/3012). If the instance stops
    /// first, the delivery status is only in ACS's own email logs.
    /// </summary>
    private async Task CheckStatusAsync(HttpPipeline pipeline, Uri operationUri, string operationId, TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        TimeSpan? left = retryAfter;
        var budget = _options.Acs.PollBudget;
        if (budget > TimeSpan.Zero)
        {
            using var timeout = new CancellationTokenSource(budget, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            left = await PollAsync(pipeline, operationUri, operationId, retryAfter, _timeProvider.GetUtcNow() + budget, linked.Token, cancellationToken);
        }

        if (left is { } delay && !cancellationToken.IsCancellationRequested)
        {
            DeferStatusCheck(pipeline, operationUri, operationId, delay);
        }
    }

    private void DeferStatusCheck(HttpPipeline pipeline, Uri operationUri, string operationId, TimeSpan delay)
    {
        if (Interlocked.Increment(ref _pendingStatusChecks) > MaxPendingStatusChecks)
        {
            Interlocked.Decrement(ref _pendingStatusChecks);
            _logger.AcsStatusNotChecked(operationId, "too many status checks pending");
            return;
        }

        var until = _timeProvider.GetUtcNow() + StatusCheckHorizon;
        _logger.AcsStatusDeferred(operationId, delay, until);
        var stopping = _stopping.Token;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    if (await PollAsync(pipeline, operationUri, operationId, delay, until, stopping, stopping) is not null)
                    {
                        _logger.AcsOperationPending(operationId, "Running");
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    _logger.AcsStatusNotChecked(operationId, "the instance is stopping");
                }
                finally
                {
                    Interlocked.Decrement(ref _pendingStatusChecks);
                }
            },
            CancellationToken.None);
    }

    /// <summary>
    /// Polls until a final status (logged; returns null) or until the next wait would pass <paramref name="deadline"/>:
    /// then returns the wait still due, for a later check. <paramref name="token"/> ends at the deadline;
    /// <paramref name="callerToken"/> is the caller's own.
    /// </summary>
    private async Task<TimeSpan?> PollAsync(
        HttpPipeline pipeline, Uri operationUri, string operationId, TimeSpan delay, DateTimeOffset deadline, CancellationToken token, CancellationToken callerToken)
    {
        try
        {
            while (true)
            {
                var now = _timeProvider.GetUtcNow();
                if (now + delay >= deadline)
                {
                    return now + delay > deadline ? delay : DefaultPollInterval;
                }

                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, _timeProvider, token);
                }

                using var poll = pipeline.CreateMessage();
                poll.Request.Method = RequestMethod.Get;
                poll.Request.Uri.Reset(operationUri);
                await pipeline.SendAsync(poll, token);
                if (poll.Response.Status != 200)
                {
                    _logger.AcsPollFailed(operationId, "HTTP " + poll.Response.Status.ToString(CultureInfo.InvariantCulture));
                    return null;
                }

                var (status, errorCode) = ReadOperation(poll.Response.Content.ToString());
                switch (status)
                {
                    case "Succeeded":
                        _logger.AcsOperationFinished(operationId, status);
                        return null;
                    case "Failed" or "Canceled":
                        _logger.AcsOperationFailed(operationId, status, errorCode ?? "(none)");
                        return null;
                }

                delay = RetryAfter(poll.Response) ?? DefaultPollInterval;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested && !callerToken.IsCancellationRequested)
        {
            // The budget ended mid-request: check again later.
            return DefaultPollInterval;
        }
        catch (Exception e) when (e is RequestFailedException or HttpRequestException or JsonException or TimeoutRejectedException ||
                                  (e is OperationCanceledException && !callerToken.IsCancellationRequested))
        {
            _logger.AcsPollFailed(operationId, e.GetType().Name);
            return null;
        }
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
