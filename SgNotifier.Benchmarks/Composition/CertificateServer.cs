using System.Net;

namespace SgNotifier.Benchmarks.Composition;

/// <summary>
/// Answers the signing-certificate download in process: the PEM for a URL ending in its file name, 404 otherwise.
/// The cache downloads once, in the warm-up, so this is never on the measured path.
/// </summary>
internal sealed class CertificateServer(string fileName, byte[] pem) : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var found = request.RequestUri?.AbsolutePath.EndsWith("/" + fileName, StringComparison.Ordinal) == true;
        return Task.FromResult(found
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(pem), RequestMessage = request }
            : new HttpResponseMessage(HttpStatusCode.NotFound) { RequestMessage = request });
    }
}
