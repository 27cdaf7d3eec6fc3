using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Tests.Routing;

/// <summary>Every payload file decided by the pure stages; drop a file into a folder to add a regression test.</summary>
public class ChangeRouterCorpusTests
{
    public static TheoryData<string> AwsDocs => DecisionCorpus.Payloads("aws-docs");

    public static TheoryData<string> Notify => DecisionCorpus.Payloads("notify");

    public static TheoryData<string> Ignore => DecisionCorpus.Payloads("ignore");

    [Theory]
    [MemberData(nameof(AwsDocs))]
    public void AwsDocumentationExample_IsIgnoredWithExpectedReason(string file) => Check("aws-docs", file, DecisionOutcome.Ignore);

    [Theory]
    [MemberData(nameof(Notify))]
    public void NotifyPayload_NotifiesAsExpected(string file) => Check("notify", file, DecisionOutcome.Notify);

    [Theory]
    [MemberData(nameof(Ignore))]
    public void IgnorePayload_IsIgnoredWithExpectedReason(string file) => Check("ignore", file, DecisionOutcome.Ignore);

    private static void Check(string folder, string file, DecisionOutcome outcome)
    {
        var expected = DecisionCorpus.Expected(folder, file);
        var decision = ConfigRouting.Decide(ConfigMessageParser.Parse(DecisionCorpus.Payload(folder, file)), DecisionCorpus.Options(expected));
        DecisionCorpus.AssertMatches(expected, decision, outcome);
    }
}
