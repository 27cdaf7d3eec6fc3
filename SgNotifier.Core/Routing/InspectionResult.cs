namespace SgNotifier.Core.Routing;

/// <param name="Decision">Set when <see cref="Status"/> is <see cref="InspectionStatus.Decided"/>.</param>
/// <param name="Problem">Set when <see cref="Status"/> is <see cref="InspectionStatus.TransientFailure"/>: error codes, no content.</param>
public sealed record InspectionResult(InspectionStatus Status, ChangeDecision? Decision, string? Problem)
{
    public static InspectionResult Decided(ChangeDecision decision) => new(InspectionStatus.Decided, decision, null);

    public static InspectionResult TransientFailure(string problem) => new(InspectionStatus.TransientFailure, null, problem);
}
