using System.Text.Json;
using BenchmarkDotNet.Attributes;
using SgNotifier.Benchmarks.Composition;
using SgNotifier.Benchmarks.Inputs;
using SgNotifier.Core;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Sns;
using ChangeSource = SgNotifier.Core.Changes.ChangeSource;
using GroupState = SgNotifier.Core.Changes.GroupState;

namespace SgNotifier.Benchmarks;

/// <summary>
/// Issue 17's target: the CloudTrail path's in-process cost, without the AWS calls, is no more than the Config path's
/// at the same size. One host with both sources on (<c>Notify:Sources</c> = Config, CloudTrail; in-memory ledger,
/// coverage and group directory; the in-memory sender) takes, through <see cref="SnsDeliveryHandler.HandleAsync"/>:
/// <list type="bullet">
/// <item>the baseline: the Config notification of the same change (<see cref="SecurityGroupChange.CreateAdded"/>: the
/// N rules of the call added to the group), so both mails list the same N rules;</item>
/// <item>an EventBridge "AWS API Call via CloudTrail" event of an <c>AuthorizeSecurityGroupIngress</c> adding N rules
/// (<see cref="SecurityGroupApiCallEvent"/>), classic <c>items</c> form and PascalCase form, each read with EC2's
/// <c>DescribeSecurityGroups</c> and <c>DescribeSecurityGroupRules</c> of the group (N ingress rules + the default
/// egress) answered in process (<see cref="InProcessEc2"/>).</item>
/// <item>the EC2 reads alone (<c>Ec2SecurityGroupLookup.DescribeGroupStateAsync</c>: the SDK's marshalling, signing
/// and XML parsing, answered in process): what the CloudTrail case spends on "the AWS calls" that is still in process.</item>
/// </list>
/// All are signed SNS bodies of the same topic. The Config case has a host of its own (same settings): in one host,
/// whichever source came second would rightly answer <c>already-notified</c>. A source's own earlier mails do not
/// count as covering it, so each case mails every time. (<see cref="PipelineBenchmarks"/> has the Config change of one rule added to a group
/// of N.)
/// </summary>
[MemoryDiagnoser]
public class CloudTrailPipelineBenchmarks
{
    private static readonly DateTimeOffset Now = new(2025, 3, 4, 10, 15, 44, TimeSpan.Zero);

    private BenchmarkSnsSigner? _signer;
    private PipelineHost? _host;
    private PipelineHost? _configHost;
    private InProcessEc2? _ec2;
    private Ec2SecurityGroupLookup? _lookup;
    private Delivery _config;
    private Delivery _items;
    private Delivery _pascalCase;

    [Params(10, 100, 1000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _signer = new BenchmarkSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        _config = Sign(SecurityGroupChange.CreateAdded(Rules), SecurityGroupChange.Subject(Rules));
        _items = Sign(SecurityGroupApiCallEvent.Create(Rules), subject: null);
        _pascalCase = Sign(SecurityGroupApiCallEvent.Create(Rules, pascalCase: true), subject: null);
        _ec2 = new InProcessEc2(Ec2GroupResponses.DescribeSecurityGroups(Rules), Ec2GroupResponses.DescribeSecurityGroupRules(Rules));
        _host = new PipelineHost(SecurityGroupChange.TopicArn, Now, BenchmarkSnsSigner.CertificateFileName, _signer.CertificatePem, _ec2);
        _configHost = new PipelineHost(SecurityGroupChange.TopicArn, Now, BenchmarkSnsSigner.CertificateFileName, _signer.CertificatePem, _ec2);
        _lookup = _host.Get<Ec2SecurityGroupLookup>();

        // A benchmark that silently measured a rejection would be worthless. Each case must mail the owner what its
        // source reported, twice in a row (the second run reads the group directory the first one wrote).
        for (var run = 0; run < 2; run++)
        {
            Check("Config", _configHost, Config().GetAwaiter().GetResult(), ChangeSource.Config, added: Rules, SecurityGroupApiCallEvent.Cidr(0));
            Check("CloudTrail items", _host, CloudTrail().GetAwaiter().GetResult(), ChangeSource.CloudTrail, added: Rules, SecurityGroupApiCallEvent.Cidr(0));
            Check("CloudTrail PascalCase", _host, CloudTrailPascalCase().GetAwaiter().GetResult(), ChangeSource.CloudTrail, added: Rules, SecurityGroupApiCallEvent.Cidr(0));
        }

        if (Ec2Reads().GetAwaiter().GetResult() is not { Status: AwsLookupStatus.Found, Value.Rules.Count: var read } || read != Rules + 1)
        {
            throw new InvalidOperationException("the in-process EC2 read does not describe the group");
        }

        if (_ec2.DescribeSecurityGroupsCalls != 5 || _ec2.DescribeSecurityGroupRulesCalls != 5)
        {
            throw new InvalidOperationException($"EC2 was not read once per CloudTrail delivery: {_ec2.DescribeSecurityGroupsCalls} DescribeSecurityGroups, {_ec2.DescribeSecurityGroupRulesCalls} DescribeSecurityGroupRules");
        }

        // Steady state, as PipelineBenchmarks: tiered JIT promotes the few hundred methods of each path lazily.
        Warm.For(TimeSpan.FromSeconds(2), () => Config().GetAwaiter().GetResult());
        Warm.For(TimeSpan.FromSeconds(2), () => CloudTrail().GetAwaiter().GetResult());
        Warm.For(TimeSpan.FromSeconds(2), () => CloudTrailPascalCase().GetAwaiter().GetResult());
        Warm.For(TimeSpan.FromSeconds(1), () => Ec2Reads().GetAwaiter().GetResult());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _host?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _configHost?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _ec2?.Dispose();
        _signer?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Config: HandleAsync → mail sent (N rules added)")]
    public Task<DeliveryResult> Config() => Deliver(_configHost!, _config);

    [Benchmark(Description = "CloudTrail items: HandleAsync → EC2 in process → mail sent (N rules added)")]
    public Task<DeliveryResult> CloudTrail() => Deliver(_host!, _items);

    [Benchmark(Description = "CloudTrail PascalCase: HandleAsync → EC2 in process → mail sent (N rules added)")]
    public Task<DeliveryResult> CloudTrailPascalCase() => Deliver(_host!, _pascalCase);

    [Benchmark(Description = "of which EC2 reads: DescribeSecurityGroups + DescribeSecurityGroupRules, SDK → in process")]
    public Task<AwsLookupResult<GroupState>> Ec2Reads() =>
        _lookup!.DescribeGroupStateAsync(SecurityGroupChange.AccountId, SecurityGroupChange.Region, SecurityGroupChange.GroupId(Rules), CancellationToken.None);

    private static async Task<DeliveryResult> Deliver(PipelineHost host, Delivery delivery)
    {
        using var body = new MemoryStream(delivery.Body, writable: false);
        return await host.Handler.HandleAsync(body, delivery.Headers, CancellationToken.None);
    }

    private Delivery Sign(string message, string? subject)
    {
        var body = _signer!.Notification(SecurityGroupChange.TopicArn, message, subject, Now.AddSeconds(-1), signatureVersion: "2");
        using var document = JsonDocument.Parse(body);
        return new Delivery(body, new SnsRequestHeaders("Notification", document.RootElement.GetProperty("MessageId").GetString(), SecurityGroupChange.TopicArn, null, body.Length));
    }

    private static void Check(string name, PipelineHost host, DeliveryResult result, ChangeSource source, int added, string peer)
    {
        var mail = host.Sender.Last;
        if (result.Reason != NotifyReasons.Sent || mail is null || mail.To is not [SecurityGroupChange.Owner] ||
            result.Decision is not { Added.Count: var count, Removed.Count: 0, Changed.Count: 0 } decision || count != added ||
            decision.Change?.Source != source || !mail.Content.Text.Contains(peer, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{name}: the pipeline did not mail the change: {result.OutcomeName} {result.Reason}: {result.Detail}");
        }
    }

    private readonly record struct Delivery(byte[] Body, SnsRequestHeaders Headers);
}
