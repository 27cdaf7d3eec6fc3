namespace SgNotifier.Core.Email;

public enum EmailProvider
{
    /// <summary>Writes <c>.eml</c> files to a folder: the default, for local runs and demos.</summary>
    Outbox,

    /// <summary>Amazon SES v2 <c>SendEmail</c>.</summary>
    Ses,

    /// <summary>Azure Communication Services <c>emails:send</c>.</summary>
    Acs,
}
