namespace SgNotifier.Core.Routing;

public static class MailLimits
{
    /// <summary>
    /// Recipients one message may carry with every provider: SES refuses more than 50 (To + Cc + Bcc,
    /// <c>MessageRejected</c>), and Azure Communication Services allows 50 per request ("Number of recipients in
    /// email", https://learn.microsoft.com/azure/communication-services/concepts/service-limits).
    /// </summary>
    public const int MaxRecipientsPerMessage = 50;
}
