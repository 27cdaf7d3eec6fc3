using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Sns;

/// <summary>
/// Downloads SNS signing certificates from already-pinned URLs and keeps them, with their parsed RSA keys, for a
/// bounded time, shared by the whole process. Concurrent requests for one URL share one download. A failure is
/// remembered for <see cref="FailureCacheDuration"/>, and at most <see cref="MaxDownloadsPerMinute"/> downloads start
/// per minute: a sender who knows an allowed topic and invents certificate names cannot make the app fetch without
/// bound. The HTTP client follows no redirects (see the composition).
/// </summary>
public sealed class SigningCertificateCache
{
    public const string HttpClientName = "SgNotifier.SnsCertificates";

    /// <summary>SNS certificates are about 1.7 KB; anything much bigger is not one.</summary>
    public const int MaxCertificateBytes = 10 * 1024;

    /// <summary>Short enough that SNS's next retry (20 s apart by default) downloads again.</summary>
    public static readonly TimeSpan FailureCacheDuration = TimeSpan.FromSeconds(10);

    /// <summary>Genuine deliveries need one download per certificate per <c>Sns:CertificateCacheDuration</c>.</summary>
    public const int MaxDownloadsPerMinute = 20;

    private const int MaxEntries = 64;

    private readonly Lock _budgetGate = new();
    private DateTimeOffset _budgetWindow;
    private int _downloadsInWindow;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly IHttpClientFactory _httpClientFactory;
    private readonly SnsOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SigningCertificateCache> _logger;

    public SigningCertificateCache(IHttpClientFactory httpClientFactory, IOptions<SnsOptions> options, TimeProvider timeProvider, ILogger<SigningCertificateCache> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The certificate at <paramref name="trustedUrl"/>, which must already have passed <see cref="SigningCertUrl.IsTrusted"/>.</summary>
    public async Task<CertificateFetchResult> GetAsync(string trustedUrl, CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        var entry = _entries.AddOrUpdate(
            trustedUrl,
            static (url, state) => new Entry(state.Self.DownloadAsync(url), state.Now + state.Self._options.CertificateCacheDuration),
            static (url, existing, state) => existing.IsUsable(state.Now)
                ? existing
                : new Entry(state.Self.DownloadAsync(url), state.Now + state.Self._options.CertificateCacheDuration),
            (Self: this, Now: now));

        var result = await entry.Download.WaitAsync(cancellationToken);
        if (result.Status != CertificateFetchStatus.Fetched && entry.Expires > now + FailureCacheDuration)
        {
            // Remember the failure briefly: repeats within the window are answered without another GET.
            _entries.TryUpdate(trustedUrl, entry with { Expires = _timeProvider.GetUtcNow() + FailureCacheDuration }, entry);
        }

        if (_entries.Count > MaxEntries)
        {
            Trim(now);
        }

        return result;
    }

    private void Trim(DateTimeOffset now)
    {
        foreach (var (url, entry) in _entries)
        {
            if (!entry.IsUsable(now) || _entries.Count > MaxEntries)
            {
                _entries.TryRemove(new KeyValuePair<string, Entry>(url, entry));
            }
        }
    }

    /// <summary>Takes one download from this minute's budget (a fixed window on the registered clock).</summary>
    private bool TryTakeDownload()
    {
        var now = _timeProvider.GetUtcNow();
        lock (_budgetGate)
        {
            if (now - _budgetWindow >= TimeSpan.FromMinutes(1))
            {
                _budgetWindow = now;
                _downloadsInWindow = 0;
            }

            return ++_downloadsInWindow <= MaxDownloadsPerMinute;
        }
    }

    private async Task<CertificateFetchResult> DownloadAsync(string url)
    {
        if (!TryTakeDownload())
        {
            _logger.CertificateDownloadsLimited(SigningCertUrl.FileName(url), MaxDownloadsPerMinute);
            return CertificateFetchResult.Unavailable("certificate download budget exhausted");
        }

        // The download is shared by concurrent callers, so it runs on its own wall-clock timeout rather than one caller's token.
        using var timeout = new CancellationTokenSource(_options.CertificateDownloadTimeout);
        try
        {
            var client = _httpClientFactory.CreateClient(HttpClientName);
            using var response = await client.GetAsync(new Uri(url), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500)
            {
                return Unavailable(url, $"HTTP {(int)response.StatusCode}");
            }

            if (response.StatusCode != HttpStatusCode.OK)
            {
                return Invalid(url, $"HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > MaxCertificateBytes)
            {
                return Invalid(url, "too large");
            }

            var body = await ReadCappedAsync(response.Content, timeout.Token);
            if (body is null)
            {
                return Invalid(url, "too large");
            }

            var certificate = SigningCertificate.TryParse(body);
            return certificate is null ? Invalid(url, "not a PEM certificate with an RSA key") : CertificateFetchResult.Fetched(certificate);
        }
        catch (HttpRequestException exception)
        {
            return Unavailable(url, exception.HttpRequestError.ToString());
        }
        catch (OperationCanceledException)
        {
            return Unavailable(url, "timed out");
        }
        catch (IOException)
        {
            return Unavailable(url, "connection broken");
        }
    }

    private CertificateFetchResult Unavailable(string url, string detail)
    {
        _logger.CertificateUnavailable(SigningCertUrl.FileName(url), detail);
        return CertificateFetchResult.Unavailable(detail);
    }

    private CertificateFetchResult Invalid(string url, string detail)
    {
        _logger.CertificateInvalid(SigningCertUrl.FileName(url), detail);
        return CertificateFetchResult.Invalid(detail);
    }

    private static async Task<byte[]?> ReadCappedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxCertificateBytes + 1];
        var total = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0)
        {
            total += read;
            if (total > MaxCertificateBytes)
            {
                return null;
            }
        }

        return buffer[..total];
    }

    private sealed record Entry(Task<CertificateFetchResult> Download, DateTimeOffset Expires)
    {
        // A completed failure stays usable (as a remembered failure) only until its shortened expiry.
        public bool IsUsable(DateTimeOffset now) => now < Expires && (!Download.IsCompleted || Download.IsCompletedSuccessfully);
    }
}
