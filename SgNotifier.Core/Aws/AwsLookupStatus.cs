namespace SgNotifier.Core.Aws;

public enum AwsLookupStatus
{
    Found,

    /// <summary>Will not succeed on retry (not found, access denied, corrupt content): fall back.</summary>
    PermanentFailure,

    /// <summary>Throttling, 5xx, timeout or connection failure: the SNS delivery should be retried (answer 503).</summary>
    TransientFailure,
}
