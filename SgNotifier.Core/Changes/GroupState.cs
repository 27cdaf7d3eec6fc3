using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Changes;

/// <summary>What was known about a group at one moment: the group directory's entry, or an EC2 read.</summary>
/// <param name="Rules">The group's rules, with <c>sgr-</c> ids where the origin gives them; null when not known.</param>
/// <param name="ObservedAt">When this was the group's state (Config capture time, CloudTrail event time, EC2 read time).</param>
/// <param name="Origin"><c>config</c>, <c>cloudtrail</c> or <c>ec2</c>: who told it.</param>
/// <param name="Deleted">The group no longer exists; <see cref="Tags"/> and <see cref="Rules"/> are its last known ones.</param>
public sealed record GroupState(
    SecurityGroupIdentity Group,
    IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<IdentifiedRule>? Rules,
    DateTimeOffset ObservedAt,
    string Origin,
    bool Deleted = false);
