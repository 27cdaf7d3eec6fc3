namespace SgNotifier.Core.Changes;

/// <summary>Which AWS service reported a change (preview JSON <c>source</c>, <c>Notify:Sources</c>).</summary>
public enum ChangeSource
{
    /// <summary>An AWS Config configuration item (or its oversized summary).</summary>
    Config,

    /// <summary>A CloudTrail management event of the API call, forwarded by EventBridge.</summary>
    CloudTrail,
}

public static class ChangeSourceNames
{
    /// <summary><c>config</c> or <c>cloudtrail</c>.</summary>
    public static string Name(this ChangeSource source) => source == ChangeSource.CloudTrail ? "cloudtrail" : "config";

    /// <summary>How the mail names the source.</summary>
    public static string Display(this ChangeSource source) =>
        source == ChangeSource.CloudTrail ? "AWS CloudTrail (the API call, through EventBridge)" : "AWS Config";
}
