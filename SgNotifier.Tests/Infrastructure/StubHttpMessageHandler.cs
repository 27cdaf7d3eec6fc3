using System.Collections.Concurrent;
using System.Net;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>A hand-written outbound HTTP fake: answers with a function and records every request it saw.</summary>
public sealed class StubHttpMessageHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
{
    private readonly ConcurrentQueue<Uri> _requests = new();

    public StubHttpMessageHandler(Func<HttpRequestMessage, Task<HttpResponseMessage>> respond)
        : this((request, _) => respond(request))
    {
    }

    public StubHttpMessageHandler(Func<HttpRequestMessage, HttpResponseMessage> respond)
        : this(request => Task.FromResult(respond(request)))
    {
    }

    public IReadOnlyCollection<Uri> Requests => [.. _requests];

    /// <summary>Serves <c>TestData/Sns/certs/&lt;last path segment&gt;</c>; 404 for anything else.</summary>
    public static StubHttpMessageHandler ServingTestCertificates() => new(request =>
    {
        var file = RepositoryPaths.TestData("Sns", "certs", Path.GetFileName(request.RequestUri!.AbsolutePath));
        return File.Exists(file)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(File.ReadAllBytes(file)) }
            : new HttpResponseMessage(HttpStatusCode.NotFound);
    });

    /// <summary>Answers a request directly (to compose stubs), without recording it.</summary>
    public HttpResponseMessage Respond(HttpRequestMessage request) => respond(request, CancellationToken.None).GetAwaiter().GetResult();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request.RequestUri!);
        return await respond(request, cancellationToken);
    }
}
