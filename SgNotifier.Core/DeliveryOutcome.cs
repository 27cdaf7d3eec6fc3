namespace SgNotifier.Core;

/// <summary>What became of one SNS delivery; the names are the <c>outcome</c> values of <c>preview --json</c>.</summary>
public enum DeliveryOutcome
{
    /// <summary>A change somebody must hear about (sent, previewed, already sent, or failed to send — see the reason).</summary>
    Notify,

    /// <summary>Genuine, but nothing to mail (not Config, not a security group, notifications off…).</summary>
    Ignored,

    /// <summary>Failed verification: forged, not ours, or too old.</summary>
    Rejected,

    /// <summary>Not a readable SNS message.</summary>
    Malformed,

    SubscriptionConfirmation,

    UnsubscribeConfirmation,
}
