namespace SgNotifier.Core.Routing;

public enum InspectionStatus
{
    /// <summary>A decision was made (notify or ignore): answer SNS 200 once it is carried out.</summary>
    Decided,

    /// <summary>AWS was throttling, failing or unreachable while reading an oversized item: answer 503 so SNS retries.</summary>
    TransientFailure,
}
