using BenchmarkDotNet.Attributes;
using SgNotifier.Benchmarks.Inputs;
using SgNotifier.Core.Sources.CloudTrail;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Benchmarks;

/// <summary>
/// The CloudTrail source's parse (issue 17) against the Config parse, in process, at 10, 100 and 1,000 rules: an
/// <c>AuthorizeSecurityGroupIngress</c> event adding that many rules versus the Config item of a group of that many
/// rules. Only the parse; the whole path against the Config path is <see cref="CloudTrailPipelineBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class CloudTrailParseBenchmarks
{
    private string _event = string.Empty;
    private string _config = string.Empty;

    [Params(10, 100, 1000)]
    public int Rules { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _event = SecurityGroupApiCallEvent.Create(Rules);
        _config = SecurityGroupChange.Create(Rules);

        // Measuring a rejection would be worthless: both must read as the change, with every rule.
        if (CloudTrail() is not SecurityGroupApiCall call || call.Added.Count != Rules || call.Added[^1].RuleId is null)
        {
            throw new InvalidOperationException("the generated CloudTrail event does not read as a call adding every rule");
        }

        if (Config() is not { Kind: ConfigMessageKind.ItemChange, Item.Configuration: not null })
        {
            throw new InvalidOperationException("the generated Config message does not read as an item change");
        }
    }

    [Benchmark(Baseline = true, Description = "Config message parse")]
    public ConfigMessage Config() => ConfigMessageParser.Parse(_config);

    [Benchmark(Description = "CloudTrail event parse")]
    public CloudTrailReading CloudTrail() => CloudTrailEventParser.Parse(_event);
}
