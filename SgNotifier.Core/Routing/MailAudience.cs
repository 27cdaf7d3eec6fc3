namespace SgNotifier.Core.Routing;

/// <summary>Who one message of a change is for.</summary>
public enum MailAudience
{
    /// <summary>The group's owners (the owner tag did not change, or only one side has owners).</summary>
    Owners,

    /// <summary>The owners named before a change that re-pointed the owner tag: told in a message of their own.</summary>
    PreviousOwners,

    /// <summary>Addresses the change added to the owner tag.</summary>
    NewOwners,

    /// <summary><c>Notify:FallbackRecipients</c>: no valid owner, or a change that could not be inspected.</summary>
    Fallback,
}
