using System.IO.Compression;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.Config;
using SgNotifier.Tests.Config;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Routing;

/// <summary>Oversized items end to end: real AWS SDK clients against a loopback S3/EC2 stub.</summary>
public sealed class ConfigChangeSourceTests : IAsyncLifetime
{
    private readonly MetricsRecorder meters = new();
    private LoopbackAwsStub stub = null!;

    static ConfigChangeSourceTests() => Environment.SetEnvironmentVariable("AWS_EC2_METADATA_DISABLED", "true");

    public static TheoryData<string> Oversized => DecisionCorpus.Payloads("oversized");

    public async Task InitializeAsync() => stub = await LoopbackAwsStub.StartAsync();

    public async Task DisposeAsync()
    {
        meters.Dispose();
        await stub.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Oversized))]
    public async Task OversizedPayload_IsDecidedAsExpected(string file)
    {
        var expected = DecisionCorpus.Expected("oversized", file);
        var payload = DecisionCorpus.Payload("oversized", file);
        var stem = Path.Combine(DecisionCorpus.Folder("oversized"), Path.GetFileNameWithoutExtension(file));
        if (File.Exists(stem + ".s3.json"))
        {
            stub.S3Objects[S3Path(payload)] = Gzip(File.ReadAllBytes(stem + ".s3.json"));
        }

        if (File.Exists(stem + ".ec2.xml"))
        {
            stub.Ec2Response = (200, File.ReadAllText(stem + ".ec2.xml"));
        }

        var aws = expected["aws"]?.AsObject();
        using var inspector = Inspector(
            DecisionCorpus.Options(expected),
            fetch: aws?["fetchOversizedItems"]?.GetValue<bool>() ?? false,
            ec2: aws?["lookupTagsWithEc2"]?.GetValue<bool>() ?? false,
            out _);

        var result = await inspector.InspectAsync(payload, CancellationToken.None);

        Assert.Equal(InspectionStatus.Decided, result.Status);
        var outcome = Enum.Parse<DecisionOutcome>(expected["outcome"]!.GetValue<string>());
        DecisionCorpus.AssertMatches(expected, result.Decision!, outcome);
        Assert.Equal("OversizedConfigurationItemChangeNotification", result.Decision!.MessageType?.Replace("DeliveryFailed", "Notification", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InspectionDisabled_SendsNoRequestToAws()
    {
        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: false, ec2: false, out _);

        var result = await inspector.InspectAsync(DecisionCorpus.Payload("oversized", "fetched-from-s3.json"), CancellationToken.None);

        Assert.Equal(DecisionReasons.OversizedUninspected, result.Decision!.Reason);
        Assert.Empty(stub.Requests);
    }

    [Fact]
    public async Task FetchedItem_IsReadFromTheBucketAndKeyOfTheNotification()
    {
        var payload = DecisionCorpus.Payload("oversized", "fetched-from-s3.json");
        stub.S3Objects[S3Path(payload)] = Gzip(File.ReadAllBytes(Path.Combine(DecisionCorpus.Folder("oversized"), "fetched-from-s3.s3.json")));
        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: true, ec2: true, out _);

        var result = await inspector.InspectAsync(payload, CancellationToken.None);

        Assert.Equal(DecisionReasons.Changed, result.Decision!.Reason);
        Assert.Equal(["S3 GET " + S3Path(payload)], stub.Requests);
        var lookup = Assert.Single(meters.Of("sgnotifier.aws.lookups"));
        Assert.Equal(("s3:GetObject", "found", 1d), (lookup.Tag("operation"), lookup.Tag("result"), lookup.Value));
    }

    [Theory]
    [InlineData(503, "SlowDown")]
    [InlineData(500, "InternalError")]
    public async Task S3ServerError_IsATransientFailure(int status, string code)
    {
        stub.S3Failure = (status, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>Please reduce your request rate.</Message></Error>");
        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: true, ec2: true, out var logger);

        var result = await inspector.InspectAsync(DecisionCorpus.Payload("oversized", "fetched-from-s3.json"), CancellationToken.None);

        Assert.Equal(InspectionStatus.TransientFailure, result.Status);
        Assert.Null(result.Decision);
        Assert.Contains(code, result.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain(stub.Requests, r => r.StartsWith("EC2", StringComparison.Ordinal));
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 2006);
    }

    [Theory]
    [InlineData(400, "RequestLimitExceeded")]
    [InlineData(503, "Unavailable")]
    public async Task Ec2Throttling_IsATransientFailure(int status, string code)
    {
        stub.Ec2Response = (status, $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>1</RequestID></Response>");
        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: false, ec2: true, out _);

        var result = await inspector.InspectAsync(DecisionCorpus.Payload("oversized", "fetched-from-s3.json"), CancellationToken.None);

        Assert.Equal(InspectionStatus.TransientFailure, result.Status);
        var lookup = Assert.Single(meters.Of("sgnotifier.aws.lookups"));
        Assert.Equal(("ec2:DescribeSecurityGroups", "transient"), (lookup.Tag("operation"), lookup.Tag("result")));
    }

    [Fact]
    public async Task UnreachableAws_IsATransientFailure()
    {
        var address = stub.BaseAddress;
        await stub.DisposeAsync();
        using var fetcher = new OversizedConfigurationItemFetcher(AwsOptions(address, fetch: true, ec2: false), Credentials);

        var result = await fetcher.FetchAsync(Core.Sources.Config.ConfigMessageParser.Parse(DecisionCorpus.Payload("oversized", "fetched-from-s3.json")), CancellationToken.None);

        Assert.Equal(AwsLookupStatus.TransientFailure, result.Status);
        stub = await LoopbackAwsStub.StartAsync();
    }

    [Theory]
    [InlineData("not gzip and not json")]
    [InlineData("gzip-corrupt")]
    [InlineData("other-resource")]
    public async Task UnusableS3Object_IsPermanentAndFallsBack(string kind)
    {
        var payload = DecisionCorpus.Payload("oversized", "fetched-from-s3.json");
        var full = File.ReadAllBytes(Path.Combine(DecisionCorpus.Folder("oversized"), "fetched-from-s3.s3.json"));
        stub.S3Objects[S3Path(payload)] = kind switch
        {
            "gzip-corrupt" => [.. Gzip(full).Take(40)],
            "other-resource" => Gzip(System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(full).Replace("sg-0123456789abcdef0", "sg-0fffffffffffffff0", StringComparison.Ordinal))),
            _ => System.Text.Encoding.UTF8.GetBytes(kind),
        };
        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: true, ec2: false, out var logger);

        var result = await inspector.InspectAsync(payload, CancellationToken.None);

        Assert.Equal(DecisionReasons.OversizedUninspected, result.Decision!.Reason);
        Assert.Contains("S3 fetch failed", result.Decision.Detail, StringComparison.Ordinal);
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 2004 && r.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task ObjectLargerThanTheCap_IsRefused()
    {
        var payload = DecisionCorpus.Payload("oversized", "fetched-from-s3.json");
        stub.S3Objects[S3Path(payload)] = Gzip(new byte[4096]);
        var options = AwsOptions(stub.BaseAddress, fetch: true, ec2: false);
        options.MaxOversizedItemBytes = 2048;
        using var fetcher = new OversizedConfigurationItemFetcher(options, Credentials);

        var result = await fetcher.FetchAsync(Core.Sources.Config.ConfigMessageParser.Parse(payload), CancellationToken.None);

        Assert.Equal(AwsLookupStatus.PermanentFailure, result.Status);
    }

    [Fact]
    public async Task FetchedItem_IsReadWithTheExpectedBucketOwner()
    {
        var payload = DecisionCorpus.Payload("oversized", "fetched-from-s3.json");
        stub.S3Objects[S3Path(payload)] = Gzip(File.ReadAllBytes(Path.Combine(DecisionCorpus.Folder("oversized"), "fetched-from-s3.s3.json")));
        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: true, ec2: false, out _);

        await inspector.InspectAsync(payload, CancellationToken.None);

        Assert.Equal(["111122223333"], stub.ExpectedBucketOwners);
    }

    [Fact]
    public async Task FetchedItem_KeepsTheSummarysChangeKey_SoTheEc2PathIsTheSameChange()
    {
        var payload = DecisionCorpus.Payload("oversized", "fetched-from-s3.json");
        var full = System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(DecisionCorpus.Folder("oversized"), "fetched-from-s3.s3.json")));
        var stateId = (string?)JsonNode.Parse(payload)!["configurationItemSummary"]!["configurationStateId"]?.ToString();
        var node = JsonNode.Parse(full)!;
        node["configurationItem"]!["configurationStateId"] = "999999";
        stub.S3Objects[S3Path(payload)] = Gzip(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString()));
        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: true, ec2: false, out _);

        var result = await inspector.InspectAsync(payload, CancellationToken.None);

        Assert.Equal(DecisionReasons.Changed, result.Decision!.Reason);
        Assert.Equal(stateId, result.Decision.Key!.Version);
    }

    public static TheoryData<string, string> HostileLocations() => new()
    {
        { "s3BucketLocation", "payroll-exports-prod/AWSLogs/111122223333/Config/eu-west-1/2024/5/2/x.json.gz" },
        { "s3BucketLocation", "config-bucket-111122223333/AWSLogs/999999999999/Config/eu-west-1/x.json.gz" },
        { "s3BucketLocation", "config-bucket-111122223333/exports/payroll.json.gz" },
        { "s3BucketLocation", "config-bucket-111122223333/AWSLogs/111122223333/Config/eu-west-1/../../../../exports/x.json.gz" },
        { "awsRegion", "us-east-1.evil.example" },
        { "awsRegion", "eu-west-1\n" },
        { "awsAccountId", "111122223333/../x" },
    };

    [Theory]
    [MemberData(nameof(HostileLocations))]
    public async Task LocationOutsideTheConfigDeliveryBucketOrBogusRegion_IsRefusedWithoutAnyAwsRequest(string field, string value)
    {
        var node = JsonNode.Parse(DecisionCorpus.Payload("oversized", "fetched-from-s3.json"))!;
        if (field == "s3BucketLocation")
        {
            node["s3DeliverySummary"]!["s3BucketLocation"] = value;
        }
        else
        {
            node["configurationItemSummary"]![field] = value;
        }

        using var inspector = Inspector(DecisionCorpus.Options([]), fetch: true, ec2: true, out _);

        var result = await inspector.InspectAsync(node.ToJsonString(), CancellationToken.None);

        Assert.Equal(DecisionReasons.OversizedUninspected, result.Decision!.Reason);
        Assert.DoesNotContain(stub.Requests, r => r.StartsWith("S3", StringComparison.Ordinal));
        if (field != "s3BucketLocation")
        {
            Assert.Empty(stub.Requests);
        }
    }

    [Fact]
    public void ConfigDeliveryLocation_AcceptsOnlyTheBucketAndPrefixOfTheSummarisedAccountAndRegion()
    {
        var summary = new ConfigurationItemSummary("UPDATE", "AWS::EC2::SecurityGroup", "sg-1", null, "111122223333", "eu-west-1", null, null, null, "1");
        var options = new AwsOptions { ConfigBucket = "config-bucket", ConfigKeyPrefix = "org/", ConfigBucketOwner = "111122223333" };

        Assert.Equal(("config-bucket", "org/AWSLogs/111122223333/Config/eu-west-1/2024/x.json.gz", (string?)null),
            ConfigDeliveryLocation.Check(summary, "config-bucket/org/AWSLogs/111122223333/Config/eu-west-1/2024/x.json.gz", options));
        Assert.NotNull(ConfigDeliveryLocation.Check(summary, "config-bucket/AWSLogs/111122223333/Config/eu-west-1/2024/x.json.gz", options).Refusal);
        Assert.NotNull(ConfigDeliveryLocation.Check(summary, "config-bucket/org/AWSLogs/111122223333/Config/eu-west-1/", options).Refusal);
        Assert.NotNull(ConfigDeliveryLocation.Check(summary, "config-bucket/org/AWSLogs/111122223333/Config/eu-west-1/2024/x.json.gz", new AwsOptions()).Refusal);
    }

    [Theory]
    [InlineData("us-east-1", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("cn-north-1", true)]
    [InlineData("ap-southeast-2", true)]
    [InlineData("us-east-1.evil.example", false)]
    [InlineData("us-east-1\n", false)]
    [InlineData("US-EAST-1", false)]
    [InlineData("localhost", false)]
    public void RegionNames_AreCheckedStrictly(string region, bool valid) =>
        Assert.Equal(valid, ConfigDeliveryLocation.IsRegionName(region));

    [Fact]
    public void LocationWithoutKeyOrWithBadBucket_IsRefusedBeforeAnyRequest()
    {
        Assert.False(OversizedConfigurationItemFetcher.TrySplitLocation(null, out _, out _));
        Assert.False(OversizedConfigurationItemFetcher.TrySplitLocation("bucket-only", out _, out _));
        Assert.False(OversizedConfigurationItemFetcher.TrySplitLocation("my-bucket/", out _, out _));
        Assert.False(OversizedConfigurationItemFetcher.TrySplitLocation("Evil..Host:80/key", out _, out _));
        Assert.True(OversizedConfigurationItemFetcher.TrySplitLocation("my-bucket/a/b.json.gz", out var bucket, out var key));
        Assert.Equal(("my-bucket", "a/b.json.gz"), (bucket, key));
    }

    private static readonly BasicAWSCredentials Credentials = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");

    private static AwsOptions AwsOptions(Uri stub, bool fetch, bool ec2) => new()
    {
        FetchOversizedItems = fetch,
        LookupTagsWithEc2 = ec2,
        ConfigBucket = "config-bucket-111122223333",
        ConfigBucketOwner = "111122223333",
        S3ServiceUrl = stub.ToString(),
        Ec2ServiceUrl = stub.ToString(),
        MaxErrorRetry = 0,
        TimeoutSeconds = 5,
    };

    private InspectorUnderTest Inspector(NotifyOptions notify, bool fetch, bool ec2, out FakeLogger<ConfigChangeSource> logger)
    {
        var aws = AwsOptions(stub.BaseAddress, fetch, ec2);
        var fetcher = new OversizedConfigurationItemFetcher(aws, Credentials);
        var lookup = new Ec2SecurityGroupLookup(aws, Credentials);
        logger = new FakeLogger<ConfigChangeSource>();
        return new InspectorUnderTest(new ConfigChangeSource(Options.Create(notify), Options.Create(aws), fetcher, lookup, logger, meters.Metrics), notify, fetcher, lookup);
    }

    private static string S3Path(string oversizedPayload)
    {
        var location = JsonNode.Parse(oversizedPayload)!["s3DeliverySummary"]!["s3BucketLocation"]!.GetValue<string>();
        return "/" + location;
    }

    private static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    private enum InspectionStatus
    {
        Decided,
        TransientFailure,
    }

    /// <summary>What the source read, routed as the pipeline routes it: a decision, or a transient AWS failure.</summary>
    private sealed record Inspection(InspectionStatus Status, ChangeDecision? Decision, string? Problem);

    private sealed record InspectorUnderTest(ConfigChangeSource Source, NotifyOptions Notify, OversizedConfigurationItemFetcher Fetcher, Ec2SecurityGroupLookup Lookup) : IDisposable
    {
        public async Task<Inspection> InspectAsync(string payload, CancellationToken cancellationToken) =>
            await Source.ReadAsync(payload, cancellationToken) switch
            {
                RetryReading retry => new Inspection(InspectionStatus.TransientFailure, null, retry.Problem),
                var reading => new Inspection(InspectionStatus.Decided, ConfigRouting.Decide(reading, Notify), null),
            };

        public void Dispose()
        {
            Fetcher.Dispose();
            Lookup.Dispose();
        }
    }
}
