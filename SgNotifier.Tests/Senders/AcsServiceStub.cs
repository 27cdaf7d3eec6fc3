using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using SgNotifier.Core.Senders;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Senders;

/// <summary>
/// Azure Communication Services Email as far as a sender can tell, on a loopback port: every request must carry a
/// valid HMAC (recomputed from the received method, path, Host, x-ms-date and body) or gets 401; <c>emails:send</c>
/// follows the "repeatable requests" rules of the Communication REST docs (OASIS Repeatable Requests 1.0):
/// <list type="bullet">
/// <item>no or malformed <c>Repeatability-Request-Id</c> / <c>Repeatability-First-Sent</c> → 400;</item>
/// <item>first sent more than 5 minutes ago → 412;</item>
/// <item>a known id with another body → 400; while the original is still being processed → 409; else the original's
/// answer again (202 and its Operation-Location), and no second mail;</item>
/// <item>a new id → accepted (counted in <see cref="AcceptedMails"/>), answered after <see cref="AnswerDelay"/>.</item>
/// </list>
/// Throttled requests (<see cref="ThrottleFirst"/>) are refused before any of that and not remembered (an assumption:
/// the docs do not say whether ACS replays a 429 to a repeat). <c>GET /emails/operations/{id}</c> answers 404 for an
/// unknown id, else <c>Running</c> once and then <c>Succeeded</c>.
/// </summary>
internal sealed class AcsServiceStub : IAsyncDisposable
{
    public const string AccessKey = "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ==";

    private readonly ConcurrentDictionary<string, Original> _requests = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, int> _polls = new(StringComparer.OrdinalIgnoreCase);
    private LoopbackHttpStub _http = null!;
    private int _accepted;
    private int _throttled;

    public Uri BaseUri => _http.BaseUri;

    public IEnumerable<RecordedRequest> Requests => _http.Requests;

    public IEnumerable<RecordedRequest> Posts => _http.Requests.Where(static r => r.Method == "POST");

    /// <summary>Mails accepted for sending: one per new repeatability id, never one for a repeat.</summary>
    public int AcceptedMails => Volatile.Read(ref _accepted);

    /// <summary>How long an accepted send takes to answer (the mail is accepted at once).</summary>
    public TimeSpan AnswerDelay { get; set; }

    /// <summary>So many first sends answer 429 with <see cref="ThrottleRetryAfter"/>.</summary>
    public int ThrottleFirst { get; set; }

    public string ThrottleRetryAfter { get; set; } = "1";

    /// <summary>The <c>retry-after</c> of the 202 and of a Running poll.</summary>
    public string AcceptedRetryAfter { get; set; } = "0";

    /// <summary>When set, a repeat of a known id is refused with this status (a front end that rejects a reused Operation-Id).</summary>
    public int? RefuseRepeatsWith { get; set; }

    /// <summary>When set, every request answers this status (e.g. 401 for a key not yet valid).</summary>
    public int? ForceStatus { get; set; }

    public static async Task<AcsServiceStub> StartAsync()
    {
        var stub = new AcsServiceStub();
        stub._http = await LoopbackHttpStub.StartAsync(stub.HandleAsync);
        return stub;
    }

    /// <summary>Registers an operation as if an earlier process had sent it (for repeats outside the window).</summary>
    public void KnowOperation(string operationId) =>
        _requests[operationId] = new Original(operationId, "(earlier)", DateTimeOffset.UtcNow, Done: true);

    public ValueTask DisposeAsync() => _http.DisposeAsync();

    private async Task HandleAsync(HttpContext context, RecordedRequest request)
    {
        var key = Convert.FromBase64String(AccessKey);
        var hash = AcsHmacAuthenticationPolicy.ContentHash(request.Body);
        var expected = AcsHmacAuthenticationPolicy.Authorization(
            request.Method, request.PathAndQuery, request.Headers.GetValueOrDefault("x-ms-date") ?? "", request.Headers["Host"], hash, key);
        if (request.Headers.GetValueOrDefault("x-ms-content-sha256") != hash || request.Headers.GetValueOrDefault("Authorization") != expected)
        {
            await Error(context, 401, "Denied", "bad signature");
            return;
        }

        if (ForceStatus is { } forced)
        {
            await Error(context, forced, forced == 401 ? "Denied" : "Forced", "forced by the test");
            return;
        }

        if (request.Method == "GET")
        {
            await PollAsync(context, request);
            return;
        }

        if (Interlocked.Increment(ref _throttled) <= ThrottleFirst)
        {
            context.Response.Headers["retry-after"] = ThrottleRetryAfter;
            await Error(context, 429, "TooManyRequests", "slow down");
            return;
        }

        var id = request.Headers.GetValueOrDefault("Repeatability-Request-Id");
        var firstSentText = request.Headers.GetValueOrDefault("Repeatability-First-Sent");
        if (!Guid.TryParse(id, out _) ||
            !DateTimeOffset.TryParseExact(firstSentText, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var firstSent) ||
            request.Headers.GetValueOrDefault("Operation-Id") is not { } operationId)
        {
            await Error(context, 400, "InvalidRepeatabilityHeaders", "missing or malformed repeatability headers");
            return;
        }

        if (DateTimeOffset.UtcNow - firstSent > AcsEmailSender.RepeatabilityWindow)
        {
            await Error(context, 412, "PreconditionFailed", "Repeatability-First-Sent header is not within the 5 minutes window.");
            return;
        }

        var bodyHash = Convert.ToHexString(SHA256.HashData(request.Body));
        var mine = new Original(operationId, bodyHash, firstSent, Done: false);
        var original = _requests.GetOrAdd(id!, mine);
        if (!ReferenceEquals(original, mine))
        {
            if (RefuseRepeatsWith is { } refusal)
            {
                await Error(context, refusal, "OperationIdAlreadyUsed", "an operation with this id exists");
            }
            else if (original.BodyHash != bodyHash || original.FirstSent != firstSent)
            {
                await Error(context, 400, "RepeatabilityMismatch", "the repeated request does not match the original");
            }
            else if (!original.Done)
            {
                await Error(context, 409, "Conflict", "the original request is still being processed");
            }
            else
            {
                await AcceptedAsync(context, original.OperationId);
            }

            return;
        }

        // Accepted at once (the mail goes out); the answer may come late.
        _requests[operationId] = mine;
        Interlocked.Increment(ref _accepted);
        // ACS goes on processing when the client gives up waiting: the original is done only after the delay.
        if (AnswerDelay > TimeSpan.Zero)
        {
            await Task.Delay(AnswerDelay, CancellationToken.None);
        }

        _requests[id!] = mine with { Done = true };
        _requests[operationId] = mine with { Done = true };
        if (!context.RequestAborted.IsCancellationRequested)
        {
            await AcceptedAsync(context, operationId);
        }
    }

    private async Task AcceptedAsync(HttpContext context, string operationId)
    {
        context.Response.StatusCode = 202;
        context.Response.Headers["Operation-Location"] = new Uri(BaseUri, $"emails/operations/{operationId}?api-version={AcsEmailSender.ApiVersion}").AbsoluteUri;
        context.Response.Headers["retry-after"] = AcceptedRetryAfter;
        await context.Response.WriteAsJsonAsync(new { id = operationId, status = "Running" });
    }

    private async Task PollAsync(HttpContext context, RecordedRequest request)
    {
        var operation = Uri.UnescapeDataString(request.PathAndQuery.Split('/', '?')[3]);
        if (!_requests.ContainsKey(operation))
        {
            await Error(context, 404, "NotFound", "no such operation");
            return;
        }

        context.Response.Headers["retry-after"] = AcceptedRetryAfter;
        var status = _polls.AddOrUpdate(operation, 1, static (_, n) => n + 1) == 1 ? "Running" : "Succeeded";
        await context.Response.WriteAsJsonAsync(new { id = operation, status });
    }

    private static async Task Error(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = code;
        await context.Response.WriteAsJsonAsync(new { error = new { code, message } });
    }

    private sealed record Original(string OperationId, string BodyHash, DateTimeOffset FirstSent, bool Done);
}
