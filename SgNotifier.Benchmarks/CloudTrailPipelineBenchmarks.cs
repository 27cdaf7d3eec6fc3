using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SgNotifier.Benchmarks.Composition;
using SgNotifier.Benchmarks.Inputs;
using SgNotifier.Core;
using SgNotifier.Core.Sns;
using ChangeSource = SgNotifier.Core.Changes.ChangeSource;

namespace SgNotifier.Benchmarks;

/// <summary>
/// Issue 17's target: the CloudTrail path's in-process cost, without the AWS calls, is no more than the Config path's
/// at the same size. One host with both sources on (<c>Notify:Sources</c> = Config, CloudTrail; in-memory ledger,
/// coverage and group directory; the in-memory sender) takes, through <see cref="SnsDeliveryHandler.HandleAsync"/>:
/// <list type="bullet">
/// <item>the baseline: the Config notification of <see cref="PipelineBenchmarks"/> (a group of N rules, one added);</item>
/// <item>an EventBridge "AWS API Call via CloudTrail" event of an <c>AuthorizeSecurityGroupIngress</c> adding N rules
/// (<see cref="SecurityGroupApiCallEvent"/>), classic <c>items</c> form and PascalCase form, each read with EC2's
/// <c>DescribeSecurityGroups</c> and <c>DescribeSecurityGroupRules</c> of the group (N ingress rules + the default
/// egress) answered in process (<see cref="InProcessEc2"/>).</item>
/// </list>
/// Both are signed SNS bodies of the same topic; each case is a separate process, so neither sees the other's ledger,
/// coverage or directory entries.
/// </summary>
[MemoryDiagnoser]
public class CloudTrailPipelineBenchmarks
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 15, 44, TimeSpan.Zero);

    private BenchmarkSnsSigner? _signer;
    private PipelineHost? _host;
    private InProcessEc2? _ec2;
    private Delivery _config;
    private Delivery _items;
    private Delivery _pascalCase;

    [Params(10, 100, 1000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _signer = new BenchmarkSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        _config = Sign(SecurityGroupChange.Create(Rules), SecurityGroupChange.Subject(Rules));
        _items = Sign(SecurityGroupApiCallEvent.Create(Rules), subject: null);
        _pascalCase = Sign(SecurityGroupApiCallEvent.Create(Rules, pascalCase: true), subject: null);
        _ec2 = new InProcessEc2(Ec2GroupResponses.DescribeSecurityGroups(Rules), Ec2GroupResponses.DescribeSecurityGroupRules(Rules));
        _host = new PipelineHost(SecurityGroupChange.TopicArn, Now, BenchmarkSnsSigner.CertificateFileName, _signer.CertificatePem, _ec2);

        // A benchmark that silently measured a rejection would be worthless. Each case must mail the owner what its
        // source reported, twice in a row (the second run reads the group directory the first one wrote).
        for (var run = 0; run < 2; run++)
        {
            Check("Config", Config().GetAwaiter().GetResult(), ChangeSource.Config, added: 1, SecurityGroupChange.AddedPeer);
            Check("CloudTrail items", CloudTrail().GetAwaiter().GetResult(), ChangeSource.CloudTrail, added: Rules, SecurityGroupApiCallEvent.Cidr(0));
            Check("CloudTrail PascalCase", CloudTrailPascalCase().GetAwaiter().GetResult(), ChangeSource.CloudTrail, added: Rules, SecurityGroupApiCallEvent.Cidr(0));
        }

        if (_ec2.DescribeSecurityGroupsCalls != 4 || _ec2.DescribeSecurityGroupRulesCalls != 4)
        {
            throw new InvalidOperationException($"EC2 was not read once per CloudTrail delivery: {_ec2.DescribeSecurityGroupsCalls} DescribeSecurityGroups, {_ec2.DescribeSecurityGroupRulesCalls} DescribeSecurityGroupRules");
        }

        // Steady state, as PipelineBenchmarks: tiered JIT promotes the few hundred methods of each path lazily.
        Warm.For(TimeSpan.FromSeconds(2), () => Config().GetAwaiter().GetResult());
        Warm.For(TimeSpan.FromSeconds(2), () => CloudTrail().GetAwaiter().GetResult());
        Warm.For(TimeSpan.FromSeconds(2), () => CloudTrailPascalCase().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _ec2?.Dispose();
        _signer?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Config: HandleAsync → mail sent (group of N rules, one added)")]
    public Task<DeliveryResult> Config() => Deliver(_config);

    [Benchmark(Description = "CloudTrail items: HandleAsync → EC2 in process → mail sent (N rules added)")]
    public Task<DeliveryResult> CloudTrail() => Deliver(_items);

    [Benchmark(Description = "CloudTrail PascalCase: HandleAsync → EC2 in process → mail sent (N rules added)")]
    public Task<DeliveryResult> CloudTrailPascalCase() => Deliver(_pascalCase);

    private async Task<DeliveryResult> Deliver(Delivery delivery)
    {
        using var body = new MemoryStream(delivery.Body, writable: false);
        return await _host!.Handler.HandleAsync(body, delivery.Headers, CancellationToken.None);
    }

    private Delivery Sign(string message, string? subject)
    {
        var body = _signer!.Notification(SecurityGroupChange.TopicArn, message, subject, Now.AddSeconds(-1), signatureVersion: "2");
        using var document = JsonDocument.Parse(body);
        return new Delivery(body, new SnsRequestHeaders("Notification", document.RootElement.GetProperty("MessageId").GetString(), SecurityGroupChange.TopicArn, null, body.Length));
    }

    private void Check(string name, DeliveryResult result, ChangeSource source, int added, string peer)
    {
        var mail = _host!.Sender.Last;
        if (result.Reason != NotifyReasons.Sent || mail is null || mail.To is not [SecurityGroupChange.Owner] ||
            result.Decision is not { Added.Count: var count, Removed.Count: 0, Changed.Count: 0 } decision || count != added ||
            decision.Change?.Source != source || !mail.Content.Text.Contains(peer, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{name}: the pipeline did not mail the change: {result.OutcomeName} {result.Reason}: {result.Detail}");
        }
    }

    private readonly record struct Delivery(byte[] Body, SnsRequestHeaders Headers);
}
