using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.RateLimiting;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core.Aws;

/// <summary>
/// CloudTrail <c>LookupEvents</c> on the AWS JSON 1.1 protocol (there is no AWSSDK.CloudTrail on the package feed),
/// signed with AWSSDK.Core's SigV4 in the account's credentials, in one region. One limiter per account and region
/// for the whole process keeps to CloudTrail's 2 requests per second; pages follow <c>NextToken</c>.
/// </summary>
public sealed class CloudTrailLookupEventsClient : IDisposable
{
    public const string HttpClientName = "SgNotifier.CloudTrail";

    /// <summary>CloudTrail's documented limit: 2 <c>LookupEvents</c> per second per account and region.</summary>
    internal const int RequestsPerSecond = 2;

    /// <summary>At most this many pages (50 events each) per search.</summary>
    internal const int MaxPages = 10;

    internal const int MaxLimiters = 4096;

    private const string Target = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly AwsCredentialCache _credentials;
    private readonly AwsOptions _options;
    private readonly ILogger<CloudTrailLookupEventsClient> _logger;
    private readonly ConcurrentDictionary<string, RateLimiter> _limiters = new(StringComparer.Ordinal);

    public CloudTrailLookupEventsClient(IHttpClientFactory httpClientFactory, AwsCredentialCache credentials, IOptions<AwsOptions> options, ILogger<CloudTrailLookupEventsClient> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _credentials = credentials;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>
    /// Reads every page of one search (at most <see cref="MaxPages"/>). Cancel <paramref name="cancellationToken"/> to
    /// bound the whole search; a search cut short by it answers <see cref="CloudTrailLookupStatus.TimedOut"/> unless
    /// <paramref name="requestAborted"/> is cancelled too.
    /// </summary>
    /// <param name="attributeKey">One lookup attribute: <c>EventId</c> or <c>ResourceName</c>.</param>
    public async Task<CloudTrailLookupResult> LookupAsync(
        string accountId, string region, string attributeKey, string attributeValue, DateTimeOffset? start, DateTimeOffset? end,
        CancellationToken cancellationToken, CancellationToken requestAborted = default)
    {
        if (!AwsRegion.IsValid(region))
        {
            return CloudTrailLookupResult.Failure(CloudTrailLookupStatus.Failed, "the change's region is not an AWS region name");
        }

        var events = new List<CloudTrailLookupEvent>();
        string? nextToken = null;
        var retriedExpired = false;
        var retriedThrottle = false;
        try
        {
            for (var page = 0; page < MaxPages; page++)
            {
                var credentials = await _credentials.GetAsync(accountId, region, cancellationToken);
                if (credentials.Credentials is null)
                {
                    return CloudTrailLookupResult.Failure(
                        credentials.Transient ? CloudTrailLookupStatus.Failed : CloudTrailLookupStatus.AccessDenied, credentials.Problem!);
                }

                using var permit = await Limiter(accountId, region).AcquireAsync(1, cancellationToken);
                if (!permit.IsAcquired)
                {
                    return CloudTrailLookupResult.Failure(CloudTrailLookupStatus.Throttled, "too many CloudTrail lookups queued for this account and region");
                }

                var body = Body(attributeKey, attributeValue, start, end, nextToken);
                using var response = await SendAsync(credentials.Credentials, region, body, cancellationToken);
                var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    if (!TryReadPage(content, events, out nextToken))
                    {
                        return CloudTrailLookupResult.Failure(CloudTrailLookupStatus.Failed, "CloudTrail answered LookupEvents with an unreadable body");
                    }

                    if (nextToken is null)
                    {
                        return new CloudTrailLookupResult(CloudTrailLookupStatus.Completed, events, null);
                    }

                    continue;
                }

                var code = ErrorCode(response, content);
                var problem = $"CloudTrail LookupEvents failed: {code} (HTTP {(int)response.StatusCode})";
                if (code is "ExpiredTokenException" or "ExpiredToken" && !retriedExpired)
                {
                    // The assumed-role session lapsed early (or was revoked): assume again once and repeat the page.
                    retriedExpired = true;
                    _credentials.Invalidate(accountId);
                    page--;
                    continue;
                }

                if (IsThrottle(response.StatusCode, code))
                {
                    if (!retriedThrottle)
                    {
                        // Another process shares the account's quota: one more try after the limiter's next second.
                        retriedThrottle = true;
                        _logger.CloudTrailThrottled(accountId, region, code);
                        page--;
                        continue;
                    }

                    return CloudTrailLookupResult.Failure(CloudTrailLookupStatus.Throttled, problem);
                }

                return CloudTrailLookupResult.Failure(
                    code.StartsWith("AccessDenied", StringComparison.Ordinal) || code is "UnrecognizedClientException" or "InvalidClientTokenId" or "ExpiredTokenException" or "ExpiredToken"
                        || response.StatusCode == HttpStatusCode.Forbidden
                        ? CloudTrailLookupStatus.AccessDenied
                        : CloudTrailLookupStatus.Failed,
                    problem);
            }

            return new CloudTrailLookupResult(CloudTrailLookupStatus.Completed, events, $"stopped after {MaxPages} pages");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !requestAborted.IsCancellationRequested)
        {
            return CloudTrailLookupResult.Failure(CloudTrailLookupStatus.TimedOut, "CloudTrail LookupEvents did not finish within Aws:ActorLookupTimeout");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or AmazonClientException or TimeoutException ||
                                          (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return CloudTrailLookupResult.Failure(CloudTrailLookupStatus.Failed, "CloudTrail LookupEvents failed: " + AwsErrorClassifier.Describe(exception));
        }
    }

    private async Task<HttpResponseMessage> SendAsync(AWSCredentials credentials, string region, byte[] body, CancellationToken cancellationToken)
    {
        var uri = string.IsNullOrEmpty(_options.CloudTrailServiceUrl) ? AwsRegion.Endpoint("cloudtrail", region) : new Uri(_options.CloudTrailServiceUrl);
        var resolved = await credentials.GetCredentialsAsync();
        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = uri, Content = body };
        signing.Headers["Content-Type"] = "application/x-amz-json-1.1";
        signing.Headers["X-Amz-Target"] = Target;
        if (resolved.UseToken)
        {
            // Session credentials: the token is put among the headers to sign as well as in the credentials. AWSSDK.Core
            // 4.1 documents that its signer signs a session token itself and returns X-Amz-Security-Token in the result's
            // headers; adding it here too keeps the header signed and sent if a signer version does not, and the copy loop
            // below sends it once (a header already on the request is not added again).
            signing.Headers["X-Amz-Security-Token"] = resolved.Token;
        }

        var signed = await AWSSigV4Signer.SignAsync(
            signing,
            new AWSSigV4Parameters
            {
                Credentials = resolved.UseToken
                    ? new SessionAWSCredentials(resolved.AccessKey, resolved.SecretKey, resolved.Token)
                    : new BasicAWSCredentials(resolved.AccessKey, resolved.SecretKey),
                Region = RegionEndpoint.GetBySystemName(region),
                Service = "cloudtrail",
            },
            cancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/x-amz-json-1.1");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", Target);
        foreach (var header in signed.Headers.Concat(signing.Headers))
        {
            var (name, value) = (header.Key, header.Value);
            if (!name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && !name.Equals("X-Amz-Target", StringComparison.OrdinalIgnoreCase) &&
                !request.Headers.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return await _httpClientFactory.CreateClient(HttpClientName).SendAsync(request, cancellationToken);
    }

    internal static byte[] Body(string attributeKey, string attributeValue, DateTimeOffset? start, DateTimeOffset? end, string? nextToken)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("LookupAttributes");
            writer.WriteStartObject();
            writer.WriteString("AttributeKey", attributeKey);
            writer.WriteString("AttributeValue", attributeValue);
            writer.WriteEndObject();
            writer.WriteEndArray();
            if (start is { } from)
            {
                writer.WriteNumber("StartTime", from.ToUnixTimeSeconds());
            }

            if (end is { } to)
            {
                writer.WriteNumber("EndTime", to.ToUnixTimeSeconds());
            }

            writer.WriteNumber("MaxResults", 50);
            if (nextToken is not null)
            {
                writer.WriteString("NextToken", nextToken);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static bool TryReadPage(byte[] content, List<CloudTrailLookupEvent> events, out string? nextToken)
    {
        nextToken = null;
        try
        {
            using var document = JsonDocument.Parse(content);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (ConfigJson.TryGetExact(root, "Events", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        // A field that is not valid Unicode (an escaped lone surrogate, invalid UTF-8 in a caller-controlled
                        // value) reads as absent: an event without a readable CloudTrailEvent names nobody.
                        events.Add(new CloudTrailLookupEvent(Text(item, "EventId"), Text(item, "EventName"), Text(item, "CloudTrailEvent")));
                    }
                }
            }

            // A NextToken that cannot be read would silently end the search early: the page is unreadable instead.
            nextToken = Text(root, "NextToken");
            return nextToken is not null || !ConfigJson.TryGetExact(root, "NextToken", out var token) || token.ValueKind != JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>JSON 1.1 errors: <c>__type</c> in the body (maybe <c>namespace#Code</c>) or <c>X-Amzn-ErrorType</c> (maybe <c>Code:uri</c>).</summary>
    internal static string ErrorCode(HttpResponseMessage response, byte[] content)
    {
        string? code = null;
        try
        {
            using var document = JsonDocument.Parse(content);
            code = Text(document.RootElement, "__type") ?? Text(document.RootElement, "code");
        }
        catch (JsonException)
        {
            // not JSON (a proxy's page): fall back to the header
        }

        if (code is null && response.Headers.TryGetValues("X-Amzn-ErrorType", out var values))
        {
            code = values.FirstOrDefault()?.Split(':')[0];
        }

        code = code?[(code.LastIndexOf('#') + 1)..];
        return string.IsNullOrWhiteSpace(code) ? "no error code" : new string(code.Where(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_').Take(100).ToArray());
    }

    private static bool IsThrottle(HttpStatusCode status, string code) =>
        status == HttpStatusCode.TooManyRequests || code is "ThrottlingException" or "Throttling" or "TooManyRequestsException" or "RequestLimitExceeded";

    /// <summary>A string property; null when absent, not a string, or not valid Unicode (an escaped lone surrogate, invalid UTF-8; names too).</summary>
    private static string? Text(JsonElement element, string name) =>
        ConfigJson.TryGetExact(element, name, out var value) && CloudTrailJson.TryReadString(value, out var text) ? text : null;

    private RateLimiter Limiter(string accountId, string region)
    {
        if (_limiters.Count >= MaxLimiters && !_limiters.ContainsKey(accountId + "/" + region))
        {
            // Thousands of account/region pairs in one process: start again rather than grow without bound.
            foreach (var key in _limiters.Keys)
            {
                _limiters.TryRemove(key, out _);
            }
        }

        return _limiters.GetOrAdd(accountId + "/" + region, static _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = RequestsPerSecond,
            TokensPerPeriod = RequestsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 100,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }

        _limiters.Clear();
    }
}
