using System.Reflection;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SgNotifier.Benchmarks.Composition;
using SgNotifier.Core.Sns;

namespace SgNotifier.Benchmarks;

/// <summary>
/// Verification alone on AWS's genuine SigV1 (SHA-1) and SigV2 (SHA-256) notifications: the app's verifier and its
/// pure signature check, against the floor's canonical string + RSA verify with the same cached key. The uncached
/// case parses the certificate and its key per message, as AWS's JavaScript validator does: what caching saves.
/// </summary>
[MemoryDiagnoser]
public class VerifyBenchmarks
{
    private const string CertificateFileName = "SimpleNotificationService-7ff5318490ec183fbaddaa2a969abfda.pem";

    private byte[] _pem = [];
    private SigningCertificate? _certificate;
    private SnsMessage? _message;
    private Floor.Fields? _fields;
    private PipelineHost? _host;

    [Params("sigv1", "sigv2")]
    public string Signature { get; set; } = "sigv1";

    [GlobalSetup]
    public void Setup()
    {
        var body = ReadResource($"genuine/notification-{Signature}-us-east-2.json");
        _pem = ReadResource("certs/" + CertificateFileName);
        _certificate = SigningCertificate.TryParse(_pem) ?? throw new InvalidOperationException("the genuine certificate does not parse");
        _message = SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true).Message
            ?? throw new InvalidOperationException("the genuine message does not parse");
        using (var document = JsonDocument.Parse(body))
        {
            _fields = Floor.Read(document.RootElement);
        }

        // The certificate expired long ago: verify at the message's own time, as SNS's clock saw it.
        SnsMessageVerifier.TryParseTimestamp(_message.Timestamp, out var timestamp);
        _host = new PipelineHost(_message.TopicArn, timestamp.AddSeconds(30), CertificateFileName, _pem);
        if (Verifier().GetAwaiter().GetResult() != SnsVerificationResult.Verified || !SignatureOnly() || !FloorVerify() || !UncachedKey())
        {
            throw new InvalidOperationException("a genuine message does not verify");
        }

        Warm.For(TimeSpan.FromSeconds(1), () => Verifier().GetAwaiter().GetResult());
        Warm.For(TimeSpan.FromSeconds(1), () => FloorVerify());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _certificate?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "floor: canonical string + RSA verify")]
    public bool FloorVerify() => Floor.Verify(_fields!, _certificate!.PublicKey);

    [Benchmark(Description = "SnsSignature.Verify (cached key)")]
    public bool SignatureOnly() => SnsSignature.Verify(_message!, _certificate!.PublicKey);

    [Benchmark(Description = "SnsMessageVerifier.VerifyAsync (all checks)")]
    public Task<SnsVerificationResult> Verifier() => _host!.Verifier.VerifyAsync(_message!, CancellationToken.None);

    [Benchmark(Description = "uncached: parse certificate + key per message")]
    public bool UncachedKey()
    {
        using var certificate = X509CertificateLoader.LoadCertificate(_pem);
        using var key = certificate.GetRSAPublicKey()!;
        return Floor.Verify(_fields!, key);
    }

    private static byte[] ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("missing embedded resource " + name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
