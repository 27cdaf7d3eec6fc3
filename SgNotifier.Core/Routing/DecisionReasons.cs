namespace SgNotifier.Core.Routing;

/// <summary>The stable reason codes of <see cref="ChangeDecision.Reason"/> (also listed in the README).</summary>
public static class DecisionReasons
{
    /// <summary>Ignore: the message is not JSON, or not an AWS Config message (e.g. an S3 event).</summary>
    public const string NotConfig = "not-config";

    /// <summary>Ignore: a <c>messageType</c> AWS Config does not send.</summary>
    public const string UnknownMessageType = "unknown-message-type";

    /// <summary>Ignore: a Config notification about compliance, snapshots, history or rule evaluation.</summary>
    public const string NotItemChange = "not-item-change";

    /// <summary>Ignore: a change notification whose shape could not be read (missing fields, wrong types, bad ports).</summary>
    public const string MalformedConfig = "malformed-config";

    /// <summary>Ignore: the item is not an <c>AWS::EC2::SecurityGroup</c>.</summary>
    public const string NotSecurityGroup = "not-security-group";

    /// <summary>Ignore: the recorder no longer records the group (<c>ResourceNotRecorded</c>, or a deletion without recorded state).</summary>
    public const string ResourceNotRecorded = "resource-not-recorded";

    /// <summary>Ignore: a deletion whose diff carries no previous configuration or tags, so no owner can be found.</summary>
    public const string PreviousStateUnknown = "previous-state-unknown";

    /// <summary>Ignore: neither the previous nor the current tags opt the group in.</summary>
    public const string NotificationsOff = "notifications-off";

    /// <summary>Ignore: opted in, but no valid owner address and no fallback recipients.</summary>
    public const string NoRecipients = "no-recipients";

    /// <summary>Ignore: an update that changed no rule and no tag (e.g. only relationships).</summary>
    public const string NoChange = "no-change";

    /// <summary>Notify: rules or tags changed, or the group was created or deleted.</summary>
    public const string Changed = "changed";

    /// <summary>Ignore: Config could not store an oversized item in S3 (<c>OversizedConfigurationItemChangeDeliveryFailed</c>).</summary>
    public const string OversizedDeliveryFailed = "oversized-delivery-failed";

    /// <summary>Notify the fallback recipients: an oversized change could be read neither from S3 nor from EC2.</summary>
    public const string OversizedUninspected = "oversized-uninspected";

    /// <summary>Ignore (logged as an error): an oversized change could not be inspected and there are no fallback recipients.</summary>
    public const string OversizedNoFallback = "oversized-no-fallback";

    /// <summary>Notify: an oversized change inspected through EC2 only; the mail shows the group's current rules.</summary>
    public const string OversizedCurrentState = "oversized-current-state";

    /// <summary>Ignore: the resource's account is not in <c>Notify:AllowedAccountIds</c>.</summary>
    public const string AccountNotAllowed = "account-not-allowed";

    /// <summary>A CloudTrail change of a group whose tags no source knows (never seen, and EC2 cannot describe it): mailed to the fallback recipients.</summary>
    public const string OwnersUnknown = "owners-unknown";

    /// <summary>As <see cref="OwnersUnknown"/>, with no fallback recipients: nobody is told (logged as an error).</summary>
    public const string OwnersUnknownNoFallback = "owners-unknown-no-fallback";

    /// <summary>Every fact of the change was already mailed from the other source (issue 17 correlation).</summary>
    public const string AlreadyNotified = "already-notified";

    /// <summary>A CloudTrail event while <c>Notify:Sources</c> does not include CloudTrail (or Config while it does not include Config).</summary>
    public const string SourceDisabled = "source-disabled";

    /// <summary>A call on a group named only by name whose id EC2 could not tell: never guessed.</summary>
    public const string GroupUnknown = "group-unknown";
}
