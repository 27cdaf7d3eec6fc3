namespace SgNotifier.Core.Sns;

public enum SnsMessageType
{
    Notification,
    SubscriptionConfirmation,
    UnsubscribeConfirmation,
}
