namespace SgNotifier.Core.Changes;

/// <summary>What is known about who made a change (preview JSON <c>actorStatus</c>).</summary>
public enum ActorStatus
{
    /// <summary>No lookup: <c>Aws:LookupActors</c> is false, or the message is not a change to mail.</summary>
    Off,

    /// <summary>CloudTrail named one or more actors.</summary>
    Found,

    /// <summary>CloudTrail has no matching event (yet); the mail goes out without the actor.</summary>
    NotFound,

    /// <summary>No matching event yet and still inside <c>Aws:ActorWait</c>: answered 503 so SNS delivers again.</summary>
    Pending,

    /// <summary>The lookup failed (throttling, access denied, role not assumable, timeout); the mail says why.</summary>
    Unavailable,
}
