using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace SgNotifier.Core.Senders;

/// <summary>
/// ACS access-key authentication: <c>x-ms-date</c>, <c>x-ms-content-sha256</c> and
/// <c>Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&amp;Signature=…</c>, the signature
/// being HMAC-SHA256 with the Base64-decoded key over <c>VERB\npathAndQuery\ndate;host;contentHash</c>.
/// </summary>
public sealed class AcsHmacAuthenticationPolicy : HttpPipelinePolicy
{
    private readonly byte[] _accessKey;
    private readonly TimeProvider _timeProvider;

    public AcsHmacAuthenticationPolicy(byte[] accessKey, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(accessKey);
        _accessKey = accessKey;
        _timeProvider = timeProvider;
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        Sign(message.Request, ContentHash(message.Request, message.CancellationToken));
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        Sign(message.Request, await ContentHashAsync(message.Request, message.CancellationToken));
        await ProcessNextAsync(message, pipeline);
    }

    /// <summary>The header value for one request; pure, so the published vectors can check it directly.</summary>
    /// <param name="host">The request's authority as sent in <c>Host</c>: host, plus the port when not the default.</param>
    public static string Authorization(string method, string pathAndQuery, string date, string host, string contentHash, byte[] accessKey)
    {
        var stringToSign = string.Create(CultureInfo.InvariantCulture, $"{method}\n{pathAndQuery}\n{date};{host};{contentHash}");
        var signature = Convert.ToBase64String(HMACSHA256.HashData(accessKey, Encoding.UTF8.GetBytes(stringToSign)));
        return "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature;
    }

    public static string ContentHash(ReadOnlySpan<byte> body) => Convert.ToBase64String(SHA256.HashData(body));

    private void Sign(Request request, string contentHash)
    {
        var date = _timeProvider.GetUtcNow().ToString("r", CultureInfo.InvariantCulture);
        var uri = request.Uri.ToUri();
        request.Headers.SetValue("x-ms-date", date);
        request.Headers.SetValue("x-ms-content-sha256", contentHash);
        request.Headers.SetValue("Authorization", Authorization(request.Method.Method, uri.PathAndQuery, date, uri.Authority, contentHash, _accessKey));
    }

    private static string ContentHash(Request request, CancellationToken cancellationToken)
    {
        if (request.Content is null)
        {
            return ContentHash([]);
        }

        using var buffer = new MemoryStream();
        request.Content.WriteTo(buffer, cancellationToken);
        return ContentHash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    private static async ValueTask<string> ContentHashAsync(Request request, CancellationToken cancellationToken)
    {
        if (request.Content is null)
        {
            return ContentHash([]);
        }

        using var buffer = new MemoryStream();
        await request.Content.WriteToAsync(buffer, cancellationToken);
        return ContentHash(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}
