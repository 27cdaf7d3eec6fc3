namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// What <see cref="CloudTrailEventParser"/> made of one message: a <see cref="SecurityGroupApiCall"/> or an
/// <see cref="IgnoredCloudTrailEvent"/>. Closed: the two records below are the only kinds.
/// </summary>
public abstract record CloudTrailReading
{
    private protected CloudTrailReading()
    {
    }
}
