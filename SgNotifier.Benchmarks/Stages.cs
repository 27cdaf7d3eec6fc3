using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using SgNotifier.Benchmarks.Composition;
using SgNotifier.Benchmarks.Inputs;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Email;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sns;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Benchmarks;

/// <summary>
/// <c>--stages</c>: where a delivery's time and allocations go, stage by stage, in steady state — the rough profile
/// used to choose what to fix (docs/performance.md). Not BenchmarkDotNet: one warm process, mean of many runs per stage,
/// allocations from <see cref="GC.GetAllocatedBytesForCurrentThread"/>.
/// </summary>
internal static class Stages
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-01-15T10:00:00Z", CultureInfo.InvariantCulture);

    public static async Task RunAsync()
    {
        using var signer = new BenchmarkSnsSigner(Now.AddDays(-1), Now.AddDays(30));
        await using var host = new PipelineHost(SecurityGroupChange.TopicArn, Now, BenchmarkSnsSigner.CertificateFileName, signer.CertificatePem);
        var notify = host.Get<IOptions<NotifyOptions>>().Value;
        var renderer = host.Get<EmailRenderer>();
        using var floorKey = signer.PublicKey();
        Console.WriteLine("rules  stage                         mean µs   allocated B");
        foreach (var rules in new[] { 10, 100, 1000 })
        {
            var body = signer.Notification(SecurityGroupChange.TopicArn, SecurityGroupChange.Create(rules), SecurityGroupChange.Subject(rules), Now.AddSeconds(-1), "2");
            var message = SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true).Message!;
            var config = ConfigMessageParser.Parse(message.Message);
            var change = ((SgNotifier.Core.Changes.ChangesRead)ConfigChangeReader.Read(config)).Changes[0];
            var decision = ChangeRouter.Route(change, notify);
            var iterations = rules >= 1000 ? 300 : 3000;
            Measure(rules, "SNS envelope parse", iterations, () => SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true));
            Measure(rules, "signature verify (all checks)", iterations, () => host.Verifier.VerifyAsync(message, CancellationToken.None).GetAwaiter().GetResult());
            Measure(rules, "  of which JsonDocument.Parse", iterations, () => { using var d = System.Text.Json.JsonDocument.Parse(message.Message); return d.RootElement.ValueKind; });
            Measure(rules, "Config message parse", iterations, () => ConfigMessageParser.Parse(message.Message));
            Measure(rules, "Config adapter (diff)", iterations, () => ConfigChangeReader.Read(config));
            Measure(rules, "route", iterations, () => ChangeRouter.Route(change, notify));
            Measure(rules, "render text + HTML", iterations, () => renderer.Render(decision));
            Measure(rules, "whole delivery (HandleAsync)", iterations, () => host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None).GetAwaiter().GetResult());
            Measure(rules, "floor", iterations, () => Floor.ParseAndVerify(body, floorKey));
        }
    }

    /// <summary>
    /// <c>--stages cloudtrail</c>: the CloudTrail path (<see cref="CloudTrailPipelineBenchmarks"/>' inputs and host, EC2
    /// answered in process) stage by stage, and the Config delivery in the same host for comparison.
    /// </summary>
    public static async Task RunCloudTrailAsync()
    {
        var now = new DateTimeOffset(2025, 3, 4, 10, 15, 44, TimeSpan.Zero);
        using var signer = new BenchmarkSnsSigner(now.AddDays(-1), now.AddDays(30));
        Console.WriteLine("rules  stage                         mean µs   allocated B");
        foreach (var rules in new[] { 10, 100, 1000 })
        {
            using var ec2 = new InProcessEc2(Ec2GroupResponses.DescribeSecurityGroups(rules), Ec2GroupResponses.DescribeSecurityGroupRules(rules));
            await using var host = new PipelineHost(SecurityGroupChange.TopicArn, now, BenchmarkSnsSigner.CertificateFileName, signer.CertificatePem, ec2);
            await using var configHost = new PipelineHost(SecurityGroupChange.TopicArn, now, BenchmarkSnsSigner.CertificateFileName, signer.CertificatePem, ec2);
            var notify = host.Get<IOptions<NotifyOptions>>().Value;
            var renderer = host.Get<EmailRenderer>();
            var lookup = host.Get<Ec2SecurityGroupLookup>();
            var body = signer.Notification(SecurityGroupChange.TopicArn, SecurityGroupApiCallEvent.Create(rules), null, now.AddSeconds(-1), "2");
            var configBody = signer.Notification(SecurityGroupChange.TopicArn, SecurityGroupChange.CreateAdded(rules), SecurityGroupChange.Subject(rules), now.AddSeconds(-1), "2");
            var message = SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true).Message!;
            var call = (SecurityGroupApiCall)CloudTrailEventParser.Parse(message.Message);
            var group = call.Groups[0];
            var current = (await lookup.DescribeGroupStateAsync(call.Event.AccountId, call.Event.Region, group.GroupId!, CancellationToken.None)).Value
                ?? throw new InvalidOperationException("the in-process EC2 read failed");
            var change = CloudTrailChangeBuilder.Build(call, group, null, current);
            var decision = ChangeRouter.Route(change, notify);
            var iterations = rules >= 1000 ? 300 : 3000;
            Measure(rules, "SNS envelope parse", iterations, () => SnsMessageParser.Parse(body, SnsRequestHeaders.None, requireSignature: true));
            Measure(rules, "signature verify (all checks)", iterations, () => host.Verifier.VerifyAsync(message, CancellationToken.None).GetAwaiter().GetResult());
            Measure(rules, "source detect", iterations, () => SgNotifier.Core.Changes.ChangeSources.Detect(message.Message));
            Measure(rules, "CloudTrail event parse", iterations, () => CloudTrailEventParser.Parse(message.Message));
            Measure(rules, "EC2 reads (in process)", iterations, () => lookup.DescribeGroupStateAsync(call.Event.AccountId, call.Event.Region, group.GroupId!, CancellationToken.None).GetAwaiter().GetResult());
            Measure(rules, "change build", iterations, () => CloudTrailChangeBuilder.Build(call, group, null, current));
            Measure(rules, "state after (directory)", iterations, () => CloudTrailChangeBuilder.StateAfter(change, null, current));
            Measure(rules, "route", iterations, () => ChangeRouter.Route(change, notify));
            Measure(rules, "render text + HTML", iterations, () => renderer.Render(decision));
            Measure(rules, "whole delivery (CloudTrail)", iterations, () => host.Handler.HandleAsync(new MemoryStream(body), SnsRequestHeaders.None, CancellationToken.None).GetAwaiter().GetResult());
            Measure(rules, "whole delivery (Config)", iterations, () => configHost.Handler.HandleAsync(new MemoryStream(configBody), SnsRequestHeaders.None, CancellationToken.None).GetAwaiter().GetResult());
        }
    }

    private static void Measure<T>(int rules, string stage, int iterations, Func<T> run)
    {
        Warm.For(TimeSpan.FromMilliseconds(rules >= 1000 ? 2000 : 1500), () => run());
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < iterations; i++)
        {
            _ = run();
        }

        clock.Stop();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rules,5}  {stage,-29} {clock.Elapsed.TotalMicroseconds / iterations,8:F1}   {allocated / iterations,11:N0}"));
    }
}
