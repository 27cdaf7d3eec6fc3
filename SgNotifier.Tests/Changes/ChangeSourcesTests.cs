using SgNotifier.Core.Changes;
using SgNotifier.Tests.Routing;
using SgNotifier.Tests.Sources.CloudTrail;

namespace SgNotifier.Tests.Changes;

/// <summary>The one switch between sources: which reader a message goes to, from its envelope alone.</summary>
public sealed class ChangeSourcesTests
{
    public static TheoryData<string> SecurityGroupCalls => CloudTrailCorpus.Files("security-group-call");

    public static TheoryData<string> FailedCalls => CloudTrailCorpus.Files("call-failed");

    [Theory]
    [MemberData(nameof(SecurityGroupCalls))]
    public void EverySecurityGroupCall_GoesToCloudTrail(string file) =>
        Assert.Equal(ChangeSource.CloudTrail, ChangeSources.Detect(File.ReadAllText(CloudTrailCorpus.FilePath("security-group-call", file))));

    [Theory]
    [MemberData(nameof(FailedCalls))]
    public void FailedCalls_GoToCloudTrail_WhichLogsTheAttempt(string file) =>
        Assert.Equal(ChangeSource.CloudTrail, ChangeSources.Detect(File.ReadAllText(CloudTrailCorpus.FilePath("call-failed", file))));

    [Theory]
    [InlineData("notify")]
    [InlineData("oversized")]
    public void ConfigItemsAndSummaries_GoToConfig(string folder)
    {
        var files = Directory.EnumerateFiles(DecisionCorpus.Folder(folder), "*.json").Where(static f => !f.EndsWith(".expected.json", StringComparison.Ordinal)).ToList();

        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.Equal(ChangeSource.Config, ChangeSources.Detect(File.ReadAllText(file))));
    }

    [Theory]
    [InlineData("""{"source":"aws.config","detail-type":"Config Configuration Item Change","detail":{"note":"aws.ec2"}}""")]
    [InlineData("""{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{}}""")]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail","detail":{"source":"aws.ec2"}}""")]
    [InlineData("""{"messageType":"ConfigurationItemChangeNotification","x":"aws.ec2"}""")]
    public void OnlyATopLevelEc2ApiCall_IsCloudTrail(string message) =>
        Assert.Equal(ChangeSource.Config, ChangeSources.Detect(message));

    [Theory]
    [InlineData("not-security-group-call", "s3-api-call.json")]
    [InlineData("not-security-group-call", "console-signin-detail-type.json")]
    public void OtherCloudTrailEvents_GoToCloudTrail_WhichSaysTheyAreNoSecurityGroupCall(string folder, string file) =>
        Assert.Equal(ChangeSource.CloudTrail, ChangeSources.Detect(File.ReadAllText(CloudTrailCorpus.FilePath(folder, file))));

    [Theory]
    [InlineData("""{"source":"aws.config","detail-type":"Config Configuration Item Change","detail":{"note":"AWS API Call via CloudTrail"}}""")]
    [InlineData("""{"source":"partner.example","detail-type":"AWS API Call via CloudTrail","detail":{}}""")]
    [InlineData("""{"messageType":"ConfigurationItemChangeNotification","x":"via CloudTrail",""")]
    public void ConfigOrNonAwsEventsMentioningCloudTrail_StayConfig(string message) =>
        Assert.Equal(ChangeSource.Config, ChangeSources.Detect(message));

    [Theory]
    [InlineData("Security group sg-1 changed by alice (an input transformer's prose)")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[1,2,3]")]
    [InlineData("\"aws.ec2\"")]
    public void TextThatIsNotAJsonObject_HasNoSource(string message) =>
        Assert.Null(ChangeSources.Detect(message));

    [Fact]
    public void BrokenJsonNamingEc2_GoesToCloudTrail_WhichSaysWhy() =>
        Assert.Equal(ChangeSource.CloudTrail, ChangeSources.Detect("""{"source":"aws.ec2","detail-type":"AWS API Call via CloudTrail","detail":{"""));

    /// <summary>
    /// Detect reads the text a chunk (1,024 chars) at a time: keys placed after a detail of many chunks, with a string
    /// longer than a chunk and surrogate pairs at every offset around the chunk boundaries, are still found.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void KeysAfterALargeDetail_AreFound_AcrossChunkBoundaries(int shift)
    {
        var detail = "{\"pad\":\"" + new string('x', shift) + string.Concat(Enumerable.Repeat("\U0001F512 aws.ec2 ", 700)) + "\",\"long\":\"" + new string('y', 5000) + "\"}";

        Assert.Equal(ChangeSource.CloudTrail, ChangeSources.Detect("{\"detail\":" + detail + ",\"source\":\"aws.ec2\",\"detail-type\":\"AWS API Call via CloudTrail\"}"));
        Assert.Equal(ChangeSource.Config, ChangeSources.Detect("{\"detail\":" + detail + ",\"source\":\"custom.app\",\"detail-type\":\"AWS API Call via CloudTrail\"}"));
        Assert.Equal(ChangeSource.Config, ChangeSources.Detect("{\"detail\":" + detail + "}"));
    }

    [Fact]
    public void ADuplicateKey_ReplacesTheEarlierOne() =>
        Assert.Equal(ChangeSource.Config, ChangeSources.Detect("""{"source":"aws.ec2","source":"custom.app","detail-type":"AWS API Call via CloudTrail","detail":{}}"""));

    [Fact]
    public void KeysThatAreNotStrings_CountAsAbsent() =>
        Assert.Equal(ChangeSource.Config, ChangeSources.Detect("""{"source":{"name":"aws.ec2"},"detail-type":"AWS API Call via CloudTrail","detail":{}}"""));

    [Fact]
    public void ALoneSurrogate_IsNoException() =>
        Assert.Equal(ChangeSource.CloudTrail, ChangeSources.Detect("{\"note\":\"\uD800 aws.ec2\",\"source\":\"aws.ec2\",\"detail-type\":\"AWS API Call via CloudTrail\"}"));

    [Fact]
    public void JsonBrokenAfterManyChunks_GoesToCloudTrail() =>
        Assert.Equal(ChangeSource.CloudTrail, ChangeSources.Detect("{\"detail\":{\"pad\":\"" + new string('x', 10_000) + " aws.ec2\"}, \"source\": nope"));
}
