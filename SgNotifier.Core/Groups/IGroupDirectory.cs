using SgNotifier.Core.Changes;

namespace SgNotifier.Core.Groups;

/// <summary>
/// The app's memory of each security group's last known tags and rules (issue 17): the "before" of a CloudTrail call,
/// the owners of a deleted group, the rule behind an <c>sgr-</c> id. Every Config item and every EC2 read updates it.
/// Expected storage failures are logged and answered as "unknown" (null) or ignored: the directory improves a mail,
/// it never blocks one.
/// </summary>
public interface IGroupDirectory
{
    /// <summary>The last known state of the group, or null when unknown (or storage could not be read).</summary>
    Task<GroupState?> GetAsync(string accountId, string region, string groupId, CancellationToken cancellationToken);

    /// <summary>
    /// Remembers <paramref name="state"/> unless the entry already holds a newer one (<see cref="GroupState.ObservedAt"/>):
    /// deliveries arrive out of order. A state with null <see cref="GroupState.Rules"/> keeps the rules already known.
    /// </summary>
    Task RememberAsync(GroupState state, CancellationToken cancellationToken);
}
