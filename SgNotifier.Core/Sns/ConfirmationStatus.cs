namespace SgNotifier.Core.Sns;

public enum ConfirmationStatus
{
    Confirmed,

    /// <summary>SNS could not be reached or answered 429/5xx: answer 503 so SNS sends the confirmation again.</summary>
    Unavailable,

    /// <summary>SNS refused the token (e.g. expired): retrying cannot help.</summary>
    Failed,
}
