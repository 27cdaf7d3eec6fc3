using System.Net;

namespace SgNotifier.Core.Sns;

/// <summary>
/// Replaces only the signing-certificate download for offline previews: the certificate is read from a folder,
/// from the file named like the URL's last path segment. Every URL rule has already been applied to the URL.
/// </summary>
public sealed class CertificateDirectoryHandler(string directory) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = Path.GetFileName(request.RequestUri?.AbsolutePath ?? string.Empty);
        var path = Path.Combine(directory, name);
        if (name.Length == 0 || !File.Exists(path))
        {
            // Same meaning as a certificate that cannot be downloaded: transient, 503.
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = request };
        }

        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new ByteArrayContent(await File.ReadAllBytesAsync(path, cancellationToken)),
            RequestMessage = request,
        };
    }
}
