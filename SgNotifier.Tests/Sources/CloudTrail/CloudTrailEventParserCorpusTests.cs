using System.Text.Json;
using System.Text.Json.Nodes;
using SgNotifier.Core.Sources.CloudTrail;

namespace SgNotifier.Tests.Sources.CloudTrail;

/// <summary>One theory per folder of <c>TestData/CloudTrail</c>: the folder is the expected outcome.</summary>
public class CloudTrailEventParserCorpusTests
{
    public static TheoryData<string> Calls => CloudTrailCorpus.Files("security-group-call");

    public static TheoryData<string> FailedCalls => CloudTrailCorpus.Files("call-failed");

    public static TheoryData<string> OtherCalls => CloudTrailCorpus.Files("not-security-group-call");

    public static TheoryData<string> NotJson => CloudTrailCorpus.Files("not-json");

    public static TheoryData<string> Malformed => CloudTrailCorpus.Files("malformed-event");

    [Theory]
    [MemberData(nameof(Calls))]
    public void SecurityGroupCall_ReadsAsItsExpectedCall(string file)
    {
        var reading = CloudTrailCorpus.Parse("security-group-call", file);

        var call = Assert.IsType<SecurityGroupApiCall>(reading);
        using var document = JsonDocument.Parse(File.ReadAllText(CloudTrailCorpus.FilePath("security-group-call", file)));
        var detail = document.RootElement.GetProperty("detail");
        Assert.Equal(detail.GetProperty("eventID").GetString(), call.Event.EventId);
        Assert.Equal(detail.GetProperty("eventName").GetString(), call.Event.EventName);
        Assert.Equal(document.RootElement.GetProperty("id").GetString(), call.Event.EventBridgeId);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(detail.GetProperty("userIdentity").GetRawText()), JsonNode.Parse(call.UserIdentity.GetRawText())));
        Assert.False(call.Record.TryGetProperty("requestParameters", out _));
        Assert.Equal(detail.EnumerateObject().Count() - 2, call.Record.EnumerateObject().Count());
        Assert.NotEmpty(call.Groups);
        CloudTrailCorpus.AssertMatchesExpected("security-group-call", file, call);
    }

    [Theory]
    [MemberData(nameof(Calls))]
    public void SecurityGroupCall_ReadsAlikeFromUtf8(string file)
    {
        var path = CloudTrailCorpus.FilePath("security-group-call", file);

        var fromText = Assert.IsType<SecurityGroupApiCall>(CloudTrailEventParser.Parse(File.ReadAllText(path)));
        var fromBytes = Assert.IsType<SecurityGroupApiCall>(CloudTrailEventParser.Parse(File.ReadAllBytes(path)));

        Assert.Equal(CloudTrailCorpus.Summarize(fromText), CloudTrailCorpus.Summarize(fromBytes));
    }

    [Theory]
    [MemberData(nameof(FailedCalls))]
    public void FailedCall_IsIgnoredWithItsErrorCode(string file)
    {
        var reading = CloudTrailCorpus.Parse("call-failed", file);

        var ignored = Assert.IsType<IgnoredCloudTrailEvent>(reading);
        Assert.Equal(CloudTrailReasons.CallFailed, ignored.Reason);
        Assert.NotNull(ignored.Event);
        using var document = JsonDocument.Parse(File.ReadAllText(CloudTrailCorpus.FilePath("call-failed", file)));
        var detail = document.RootElement.GetProperty("detail");
        Assert.Equal(detail.GetProperty("eventID").GetString(), ignored.Event.EventId);
        var errorCode = detail.GetProperty("errorCode").GetString()!;
        if (file.Contains("not-plain", StringComparison.Ordinal))
        {
            // Not a code's shape: it would be logged, so it is dropped rather than echoed.
            Assert.Null(ignored.ErrorCode);
        }
        else
        {
            Assert.Equal(errorCode, ignored.ErrorCode);
        }
    }

    [Theory]
    [MemberData(nameof(OtherCalls))]
    public void OtherCall_IsNotASecurityGroupCall(string file)
    {
        var ignored = Assert.IsType<IgnoredCloudTrailEvent>(CloudTrailCorpus.Parse("not-security-group-call", file));

        Assert.Equal(CloudTrailReasons.NotSecurityGroupCall, ignored.Reason);
        Assert.Null(ignored.ErrorCode);
    }

    [Theory]
    [MemberData(nameof(NotJson))]
    public void NonJsonMessage_IsNotJson(string file)
    {
        var path = CloudTrailCorpus.FilePath("not-json", file);
        var bytes = File.ReadAllBytes(path);

        var fromBytes = Assert.IsType<IgnoredCloudTrailEvent>(CloudTrailEventParser.Parse(bytes));

        Assert.Equal(CloudTrailReasons.NotJson, fromBytes.Reason);
        if (!file.EndsWith(".bin", StringComparison.Ordinal))
        {
            var fromText = Assert.IsType<IgnoredCloudTrailEvent>(CloudTrailEventParser.Parse(File.ReadAllText(path)));
            Assert.Equal(CloudTrailReasons.NotJson, fromText.Reason);
        }
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedEvent_SaysWhatIsWrongWithoutQuotingIt(string file)
    {
        var ignored = Assert.IsType<IgnoredCloudTrailEvent>(CloudTrailCorpus.Parse("malformed-event", file));

        Assert.Equal(CloudTrailReasons.MalformedEvent, ignored.Reason);
        Assert.False(string.IsNullOrWhiteSpace(ignored.Problem));
        Assert.DoesNotContain("sg-0", ignored.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("0.0.0.0", ignored.Problem, StringComparison.Ordinal);
        Assert.DoesNotContain("evil", ignored.Problem, StringComparison.Ordinal);
    }
}
