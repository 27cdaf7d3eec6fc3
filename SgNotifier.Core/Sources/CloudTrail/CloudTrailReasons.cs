namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>Why a CloudTrail/EventBridge message is not read as a security-group change (stable, for logs and preview).</summary>
public static class CloudTrailReasons
{
    /// <summary>The call failed (<c>errorCode</c> set, e.g. <c>Client.UnauthorizedOperation</c>): nothing changed, log the attempt.</summary>
    public const string CallFailed = "call-failed";

    /// <summary>Another detail-type, service or API call, or tags on resources that are not security groups.</summary>
    public const string NotSecurityGroupCall = "not-security-group-call";

    /// <summary>Not a JSON object: typically an EventBridge input transformer turned the event into prose.</summary>
    public const string NotJson = "not-json";

    /// <summary>An EC2 security-group call whose event lacks or garbles what is needed to read it.</summary>
    public const string MalformedEvent = "malformed-event";
}
