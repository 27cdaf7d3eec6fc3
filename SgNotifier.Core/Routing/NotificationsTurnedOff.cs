namespace SgNotifier.Core.Routing;

/// <summary>A change after which the group's owners will hear nothing more: the mail about it says so plainly.</summary>
/// <param name="Cause">What was lost, as a sentence fragment (tag values rendered visibly).</param>
/// <param name="Actor">Who made the change, when the source knows it (the CloudTrail actor string); null otherwise.</param>
public sealed record NotificationsTurnedOff(string Cause, string? Actor = null);
