namespace SgNotifier.Core.Sources.Config;

/// <summary>What an SNS <c>Message</c> turned out to be, before any routing.</summary>
public enum ConfigMessageKind
{
    /// <summary>Not JSON, or JSON without an AWS Config <c>messageType</c> (e.g. an S3 event).</summary>
    NotConfig,

    /// <summary>A <c>messageType</c> that is none of the eight AWS Config sends.</summary>
    UnknownMessageType,

    /// <summary>A known Config notification that is not about one configuration item (compliance, snapshots, history, rules).</summary>
    OtherNotification,

    /// <summary>A change notification whose shape could not be understood (missing fields, wrong types, out-of-range ports).</summary>
    Malformed,

    /// <summary><c>ConfigurationItemChangeNotification</c>: the item and its diff are in the message.</summary>
    ItemChange,

    /// <summary><c>OversizedConfigurationItemChangeNotification</c>: only a summary; the full notification is in S3.</summary>
    OversizedItemChange,

    /// <summary><c>OversizedConfigurationItemChangeDeliveryFailed</c>: only a summary, and the S3 copy does not exist.</summary>
    OversizedDeliveryFailed,
}
