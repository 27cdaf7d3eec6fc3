using System.Globalization;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Time.Testing;
using SgNotifier.Core.Senders;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Senders;

public sealed class AcsHmacAuthenticationPolicyTests
{
    public static TheoryData<int> Cases() => new(Enumerable.Range(0, Vectors().RootElement.GetProperty("cases").GetArrayLength()));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Authorization_MatchesTheVector(int index)
    {
        using var vectors = Vectors();
        var (key, date, host, vector) = Read(vectors, index);
        var uri = new Uri(vector.GetProperty("url").GetString()!);
        var body = System.Text.Encoding.UTF8.GetBytes(vector.GetProperty("body").GetString()!);

        var hash = AcsHmacAuthenticationPolicy.ContentHash(body);

        Assert.Equal(vector.GetProperty("xMsContentSha256").GetString(), hash);
        Assert.Equal(vector.GetProperty("authorization").GetString(),
            AcsHmacAuthenticationPolicy.Authorization(vector.GetProperty("method").GetString()!, uri.PathAndQuery, date, host, hash, key));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task PolicyInAPipeline_SendsTheVectorsHeaders(int index)
    {
        using var vectors = Vectors();
        var (key, date, _, vector) = Read(vectors, index);
        var clock = new FakeTimeProvider(DateTimeOffset.ParseExact(date, "r", CultureInfo.InvariantCulture));
        var capture = new CapturingHandler();
        var pipeline = HttpPipelineBuilder.Build(
            new TestClientOptions { Transport = new HttpClientTransport(new HttpClient(capture)), Retry = { MaxRetries = 0 } },
            new AcsHmacAuthenticationPolicy(key, clock));
        using var message = pipeline.CreateMessage();
        message.Request.Method = RequestMethod.Parse(vector.GetProperty("method").GetString()!);
        message.Request.Uri.Reset(new Uri(vector.GetProperty("url").GetString()!));

        await pipeline.SendAsync(message, CancellationToken.None);

        Assert.Equal(date, capture.Header("x-ms-date"));
        Assert.Equal(vector.GetProperty("xMsContentSha256").GetString(), capture.Header("x-ms-content-sha256"));
        Assert.Equal(vector.GetProperty("authorization").GetString(), capture.Header("Authorization"));
    }

    private static JsonDocument Vectors() => JsonDocument.Parse(File.ReadAllText(RepositoryPaths.TestData("acs-hmac", "vectors.json")));

    private static (byte[] Key, string Date, string Host, JsonElement Vector) Read(JsonDocument vectors, int index)
    {
        var root = vectors.RootElement;
        return (Convert.FromBase64String(root.GetProperty("accessKey").GetString()!), root.GetProperty("xMsDate").GetString()!,
            root.GetProperty("host").GetString()!, root.GetProperty("cases")[index]);
    }

    private sealed class TestClientOptions : ClientOptions
    {
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        private HttpRequestMessage? _request;

        public string Header(string name) => string.Join(",", _request!.Headers.GetValues(name));

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            _request = request;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
