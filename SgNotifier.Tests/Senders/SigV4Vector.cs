using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Signing;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Senders;

/// <summary>One case of the AWS SigV4 test suite (TestData/sigv4), and an independent HMAC chain to check against.</summary>
internal sealed record SigV4Vector(string Request, string CanonicalRequest, string StringToSign, string Authorization)
{
    public const string AccessKey = "AKIDEXAMPLE";
    public const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    public const string Scope = "20150830/us-east-1/service/aws4_request";
    public const string EmptyBodySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static SigV4Vector Load(string name)
    {
        string Read(string extension) => File.ReadAllText(RepositoryPaths.TestData("sigv4", name, name + extension));
        return new SigV4Vector(Read(".req"), Read(".creq"), Read(".sts"), Read(".authz"));
    }

    public static string ComputeStringToSign(string canonicalRequest) =>
        "AWS4-HMAC-SHA256\n20150830T123600Z\n" + Scope + "\n" +
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)));

    public static string ComputeAuthorization(string canonicalRequest)
    {
        var key = Encoding.UTF8.GetBytes("AWS4" + SecretKey);
        foreach (var part in Scope.Split('/'))
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(ComputeStringToSign(canonicalRequest))));
        var signedHeaders = canonicalRequest.Split('\n')[^2];
        return $"AWS4-HMAC-SHA256 Credential={AccessKey}/{Scope}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>The canonical request with <c>x-amz-content-sha256</c> (empty body) added to the headers and the signed list.</summary>
    public static string WithContentSha256(string canonicalRequest)
    {
        var lines = canonicalRequest.Split('\n').ToList();
        var blank = lines.IndexOf("", 3);
        var headers = lines.GetRange(3, blank - 3);
        headers.Add("x-amz-content-sha256:" + EmptyBodySha256);
        headers.Sort(StringComparer.Ordinal);
        var signed = lines[blank + 1].Split(';').Append("x-amz-content-sha256").Order(StringComparer.Ordinal);
        return string.Join('\n', lines.Take(3).Concat(headers).Append("").Append(string.Join(';', signed)).Append(lines[^1]));
    }

    /// <summary>Sends the vector's request through AWSSDK's <see cref="SigV4SigningHandler"/> and captures what it signed.</summary>
    public static async Task<(string Authorization, string Date, string ContentSha256)> SignWithAwsSdkAsync(SigV4Vector vector)
    {
        var lines = vector.Request.Split('\n');
        var requestLine = lines[0].Split(' ');
        var headers = lines.Skip(1).Select(static l => l.Split(':', 2)).ToList();
        var host = headers.Single(static h => h[0].Equals("Host", StringComparison.OrdinalIgnoreCase))[1];
        using var request = new HttpRequestMessage(new HttpMethod(requestLine[0]), new Uri($"https://{host}{requestLine[1]}"));
        foreach (var header in headers.Where(static h => h[0] is not ("Host" or "X-Amz-Date")))
        {
            request.Headers.TryAddWithoutValidation(header[0], header[1]);
        }

        var capture = new CapturingHandler();
        var parameters = new AWSSigV4Parameters
        {
            Credentials = new BasicAWSCredentials(AccessKey, SecretKey),
            Region = Amazon.RegionEndpoint.USEast1,
            Service = "service",
            SignedAt = new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc),
        };
        using var client = new HttpClient(new SigV4SigningHandler(parameters, capture));
        using var _ = await client.SendAsync(request);
        var sent = capture.Request!;
        return (sent.Headers.GetValues("Authorization").Single(), sent.Headers.GetValues("X-Amz-Date").Single(),
            sent.Headers.GetValues("X-Amz-Content-SHA256").Single());
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
