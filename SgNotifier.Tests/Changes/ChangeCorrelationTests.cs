using SgNotifier.Core.Changes;
using SgNotifier.Core.Ledger;
using static SgNotifier.Tests.Changes.HandBuiltChanges;

namespace SgNotifier.Tests.Changes;

public sealed class ChangeCorrelationTests
{
    private static readonly TimeSpan Before = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan After = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private const string EventId = "3e1a5c7b-0000-4000-8000-000000000001";
    private const string StateId = "1700000000001";

    private static readonly RuleChanges RdpOpened = Rules(added: [Ingress("tcp", 3389, 3389, "0.0.0.0/0")]);

    [Fact]
    public void CloudTrailFirst_ConfigItemCapturedMinutesLater_IsCovered()
    {
        var call = FromCloudTrail(ChangeKind.Updated, RdpOpened, eventTime: CallTime);
        var reports = Recorded(call, new AtomReport(ChangeSource.CloudTrail, CallTime, [EventId]));
        var item = FromConfig(ChangeKind.Updated, Rules(added: [Ingress("tcp", 3389, 3389, "0.0.0.0/0", "rdp")]), capturedAt: CallTime + TimeSpan.FromMinutes(6));

        var result = Correlate(item, reports);

        Assert.True(result.AllCovered);
        Assert.Empty(result.Uncovered);
        var report = Assert.Single(result.Covering);
        Assert.Equal(ChangeSource.CloudTrail, report.Source);
        Assert.Equal([EventId], report.EventIds);
        Assert.Same(report, Assert.Single(result.CoveredBy).Value);
    }

    [Fact]
    public void ConfigFirst_LateCloudTrailEventOfTheCallBeforeTheCapture_IsCovered()
    {
        var capturedAt = CallTime + TimeSpan.FromMinutes(6);
        var item = FromConfig(ChangeKind.Updated, Rules(added: [Ingress("tcp", 3389, 3389, "0.0.0.0/0", "rdp")]), capturedAt: capturedAt);
        var reports = Recorded(item, new AtomReport(ChangeSource.Config, capturedAt, [StateId]));
        var call = FromCloudTrail(ChangeKind.Updated, RdpOpened, eventTime: CallTime);

        var result = Correlate(call, reports);

        Assert.True(result.AllCovered);
        Assert.Equal(ChangeSource.Config, Assert.Single(result.Covering).Source);
    }

    public static TheoryData<TimeSpan, bool> CallTimesRelativeToTheCapture => new()
    {
        { -Before, true },
        { -Before - Tick, false },
        { After, true },
        { After + Tick, false },
        { TimeSpan.Zero, true },
    };

    [Theory]
    [MemberData(nameof(CallTimesRelativeToTheCapture))]
    public void ConfigChange_IsCoveredByACallInsideTheWindowOnly(TimeSpan callOffset, bool covered)
    {
        var capturedAt = CallTime;
        var item = FromConfig(ChangeKind.Updated, RdpOpened, capturedAt: capturedAt);
        var reports = Recorded(item, new AtomReport(ChangeSource.CloudTrail, capturedAt + callOffset, [EventId]));

        var result = Correlate(item, reports);

        Assert.Equal(covered, result.AllCovered);
        Assert.Equal(covered ? [] : ChangeAtoms.Of(item), result.Uncovered);
    }

    [Theory]
    [MemberData(nameof(CallTimesRelativeToTheCapture))]
    public void CloudTrailChange_IsCoveredByAConfigCaptureInsideTheSameWindow(TimeSpan callOffset, bool covered)
    {
        var capturedAt = CallTime;
        var call = FromCloudTrail(ChangeKind.Updated, RdpOpened, eventTime: capturedAt + callOffset);
        var reports = Recorded(call, new AtomReport(ChangeSource.Config, capturedAt, [StateId]));

        var result = Correlate(call, reports);

        Assert.Equal(covered, result.AllCovered);
        Assert.Equal(covered ? 1 : 0, result.Covering.Count);
    }

    [Theory]
    [InlineData(ChangeSource.Config)]
    [InlineData(ChangeSource.CloudTrail)]
    public void ReportOfTheSameSource_NeverCovers(ChangeSource source)
    {
        var change = source == ChangeSource.Config
            ? FromConfig(ChangeKind.Updated, RdpOpened, capturedAt: CallTime)
            : FromCloudTrail(ChangeKind.Updated, RdpOpened, eventTime: CallTime);
        var reports = Recorded(change, new AtomReport(source, CallTime, ["earlier"]));

        var result = Correlate(change, reports);

        Assert.False(result.AllCovered);
        Assert.Empty(result.Covering);
        Assert.Equal(ChangeAtoms.Of(change), result.Uncovered);
    }

    [Fact]
    public void PartialOverlap_ListsTheUncoveredAtom_AndTheReportThatCoveredTheRest()
    {
        var removed = Ingress("tcp", 443, 443, "10.0.0.0/8");
        var added = Ingress("tcp", 443, 443, "10.1.0.0/16");
        var modify = FromCloudTrail(
            ChangeKind.Updated,
            Rules(changed: [new RuleModification(null, added, "sgr-0123456789abcdef0")], completeness: RuleCompleteness.BeforeUnknown),
            eventTime: CallTime, eventName: "ModifySecurityGroupRules");
        var reports = Recorded(modify, new AtomReport(ChangeSource.CloudTrail, CallTime, [EventId]));
        var item = FromConfig(ChangeKind.Updated, Rules(added: [added], removed: [removed]), capturedAt: CallTime + TimeSpan.FromMinutes(3));

        var result = Correlate(item, reports);

        Assert.False(result.AllCovered);
        Assert.Equal([Assert.Single(ChangeAtoms.Of(FromConfig(ChangeKind.Updated, Rules(removed: [removed]))))], result.Uncovered);
        Assert.Equal(Assert.Single(ChangeAtoms.Of(modify)), Assert.Single(result.CoveredBy).Key);
        Assert.Equal([EventId], Assert.Single(result.Covering).EventIds);
    }

    [Fact]
    public void AtomsCoveredByOneReport_ListItOnce_AndSeveralReportsOldestFirst()
    {
        var ssh = Ingress("tcp", 22, 22, "10.0.0.0/8");
        var rdp = Ingress("tcp", 3389, 3389, "10.0.0.0/8");
        var https = Ingress("tcp", 443, 443, "10.0.0.0/8");
        var first = new AtomReport(ChangeSource.CloudTrail, CallTime, ["first"]);
        var second = new AtomReport(ChangeSource.CloudTrail, CallTime + TimeSpan.FromMinutes(1), ["second"]);
        var reports = new Dictionary<string, IReadOnlyList<AtomReport>>(StringComparer.Ordinal);
        Add(reports, FromCloudTrail(ChangeKind.Updated, Rules(added: [ssh, rdp])), second);
        Add(reports, FromCloudTrail(ChangeKind.Updated, Rules(added: [https])), first);
        var item = FromConfig(ChangeKind.Updated, Rules(added: [ssh, rdp, https]), capturedAt: CallTime + TimeSpan.FromMinutes(5));

        var result = Correlate(item, reports);

        Assert.True(result.AllCovered);
        Assert.Equal(3, result.CoveredBy.Count);
        Assert.Equal(["first", "second"], result.Covering.Select(static r => r.EventIds[0]));
    }

    [Fact]
    public void SeveralReportsOfOneAtom_TheNearestInTimeCovers()
    {
        var capturedAt = CallTime + TimeSpan.FromMinutes(10);
        var item = FromConfig(ChangeKind.Updated, RdpOpened, capturedAt: capturedAt);
        var reports = Recorded(
            item,
            new AtomReport(ChangeSource.CloudTrail, capturedAt + TimeSpan.FromMinutes(1), ["after-capture"]),
            new AtomReport(ChangeSource.CloudTrail, CallTime, ["far"]),
            new AtomReport(ChangeSource.CloudTrail, capturedAt - TimeSpan.FromMinutes(2), ["near"]),
            new AtomReport(ChangeSource.CloudTrail, capturedAt - TimeSpan.FromHours(2), ["outside"]));

        var result = Correlate(item, reports);

        Assert.Equal(["after-capture"], Assert.Single(result.Covering).EventIds);
    }

    [Fact]
    public void ChangeWithoutAtoms_IsNeverCovered()
    {
        var onlyUnknown = FromCloudTrail(ChangeKind.Updated, Rules(unknownRuleIds: ["sgr-0aaaaaaaaaaaaaaaa"], completeness: RuleCompleteness.BeforeUnknown), eventTime: CallTime);

        var result = ChangeCorrelation.Correlate(onlyUnknown, ChangeAtoms.Of(onlyUnknown), new Dictionary<string, IReadOnlyList<AtomReport>>(), Before, After);

        Assert.False(result.AllCovered);
        Assert.Empty(result.Uncovered);
        Assert.Empty(result.Covering);
    }

    [Fact]
    public void ChangeWithoutATime_IsNeverCovered()
    {
        var item = FromConfig(ChangeKind.Updated, RdpOpened, capturedAt: null);
        var reports = Recorded(item, new AtomReport(ChangeSource.CloudTrail, CallTime, [EventId]));

        var result = Correlate(item, reports);

        Assert.False(result.AllCovered);
        Assert.Equal(ChangeAtoms.Of(item), result.Uncovered);
    }

    [Fact]
    public void UnreadableStorage_CoversNothing()
    {
        var item = FromConfig(ChangeKind.Updated, RdpOpened, capturedAt: CallTime);

        var result = ChangeCorrelation.Correlate(item, ChangeAtoms.Of(item), null, Before, After);

        Assert.False(result.AllCovered);
        Assert.Equal(ChangeAtoms.Of(item), result.Uncovered);
    }

    [Fact]
    public void DeletionReportedByBothSources_IsCoveredAlthoughOnlyConfigListedTheRules()
    {
        var call = FromCloudTrail(ChangeKind.Deleted, RuleChanges.Unknown, TagState.Unknown, eventTime: CallTime, eventName: "DeleteSecurityGroup");
        var reports = Recorded(call, new AtomReport(ChangeSource.CloudTrail, CallTime, [EventId]));
        var item = FromConfig(ChangeKind.Deleted, Rules(removed: [DefaultEgress, Ingress("tcp", 22, 22, "10.0.0.0/8")]), capturedAt: CallTime + TimeSpan.FromMinutes(4));

        Assert.True(Correlate(item, reports).AllCovered);
    }

    [Fact]
    public void NegativeWindow_IsRejected()
    {
        var item = FromConfig(ChangeKind.Updated, RdpOpened, capturedAt: CallTime);

        Assert.Throws<ArgumentOutOfRangeException>(() => ChangeCorrelation.Correlate(item, ChangeAtoms.Of(item), null, -Tick, After));
        Assert.Throws<ArgumentOutOfRangeException>(() => ChangeCorrelation.Correlate(item, ChangeAtoms.Of(item), null, Before, -Tick));
    }

    private static ChangeCorrelationResult Correlate(SecurityGroupChange change, IReadOnlyDictionary<string, IReadOnlyList<AtomReport>> reports) =>
        ChangeCorrelation.Correlate(change, ChangeAtoms.Of(change), reports, Before, After);

    private static Dictionary<string, IReadOnlyList<AtomReport>> Recorded(SecurityGroupChange change, params AtomReport[] reports)
    {
        var recorded = new Dictionary<string, IReadOnlyList<AtomReport>>(StringComparer.Ordinal);
        foreach (var report in reports)
        {
            Add(recorded, change, report);
        }

        return recorded;
    }

    private static void Add(Dictionary<string, IReadOnlyList<AtomReport>> recorded, SecurityGroupChange change, AtomReport report)
    {
        foreach (var atom in ChangeAtoms.Of(change))
        {
            recorded[atom] = recorded.TryGetValue(atom, out var earlier) ? [.. earlier, report] : [report];
        }
    }
}
