namespace SgNotifier.Core.Changes;

/// <summary>The actors of one change and how they were found.</summary>
/// <param name="Detail">One sentence for the mail and logs: why the actor is missing, or where it came from.</param>
public sealed record ChangeActors(ActorStatus Status, IReadOnlyList<ChangeActor> Actors, string? Detail)
{
    public static readonly ChangeActors Off = new(ActorStatus.Off, [], null);

    /// <summary>The preview JSON's name of <see cref="Status"/>.</summary>
    public string StatusName => Status switch
    {
        ActorStatus.Found => "found",
        ActorStatus.NotFound => "not-found",
        ActorStatus.Pending => "pending",
        ActorStatus.Unavailable => "unavailable",
        _ => "off",
    };
}
