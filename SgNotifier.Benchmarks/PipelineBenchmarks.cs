using System.Security.Cryptography;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SgNotifier.Benchmarks.Composition;
using SgNotifier.Benchmarks.Inputs;
using SgNotifier.Core;
using SgNotifier.Core.Sns;

namespace SgNotifier.Benchmarks;

/// <summary>
/// One security-group notification end to end — signed SNS body → <see cref="SnsDeliveryHandler.HandleAsync"/> →
/// verify, parse, route, diff, render text and HTML → mail handed to the in-memory sender — against the floor for the
/// same body, for groups of 10, 100 and 1,000 rules with one rule added.
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 15, 44, TimeSpan.Zero);

    private BenchmarkSnsSigner? _signer;
    private PipelineHost? _host;
    private RSA? _floorKey;
    private byte[] _body = [];
    private SnsRequestHeaders _headers = SnsRequestHeaders.None;

    [Params(10, 100, 1000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _signer = new BenchmarkSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        _body = _signer.Notification(
            SecurityGroupChange.TopicArn, SecurityGroupChange.Create(Rules), SecurityGroupChange.Subject(Rules), Now.AddSeconds(-1), signatureVersion: "2");
        using (var document = JsonDocument.Parse(_body))
        {
            // The headers SNS sends with the body; the handler checks that they agree with it.
            _headers = new SnsRequestHeaders("Notification", document.RootElement.GetProperty("MessageId").GetString(), SecurityGroupChange.TopicArn, null, _body.Length);
        }

        _host = new PipelineHost(SecurityGroupChange.TopicArn, Now, BenchmarkSnsSigner.CertificateFileName, _signer.CertificatePem);
        _floorKey = _signer.PublicKey();

        // A benchmark that silently measured a rejection would be worthless: the warm-up run (which also downloads and
        // caches the certificate) must mail the owner about the added rule, and the floor must verify.
        var result = Pipeline().GetAwaiter().GetResult();
        var mail = _host.Sender.Last;
        if (result.Reason != NotifyReasons.Sent || mail is null || mail.To is not [SecurityGroupChange.Owner] ||
            !mail.Content.Text.Contains(SecurityGroupChange.AddedPeer, StringComparison.Ordinal) ||
            !mail.Content.Html.Contains(SecurityGroupChange.AddedPeer, StringComparison.Ordinal) ||
            result.Decision is not { Added.Count: 1, Removed.Count: 0, Changed.Count: 0 })
        {
            throw new InvalidOperationException($"the pipeline did not mail the added rule: {result.OutcomeName} {result.Reason}: {result.Detail}");
        }

        if (!Floor())
        {
            throw new InvalidOperationException("the floor does not verify the generated body");
        }

        // The pipeline runs a few hundred methods (options, routing, Fluid, encoders); tiered JIT promotes them lazily
        // and, on 2 cores, after the short job's three warm-up iterations. Steady state is what a running app sees
        // (cold start is measured on its own), so both cases run for a while here first.
        Warm.For(TimeSpan.FromSeconds(2), () => Pipeline().GetAwaiter().GetResult());
        Warm.For(TimeSpan.FromSeconds(1), () => Floor());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _signer?.Dispose();
        _floorKey?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "floor: JsonDocument envelope + inner, RSA verify")]
    public bool Floor() => Benchmarks.Floor.ParseAndVerify(_body, _floorKey!);

    [Benchmark(Description = "pipeline: HandleAsync → mail sent")]
    public async Task<DeliveryResult> Pipeline()
    {
        using var body = new MemoryStream(_body, writable: false);
        return await _host!.Handler.HandleAsync(body, _headers, CancellationToken.None);
    }
}
