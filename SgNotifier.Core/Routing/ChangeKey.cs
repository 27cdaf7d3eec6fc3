using System.Globalization;
using SgNotifier.Core.Changes;

namespace SgNotifier.Core.Routing;

/// <summary>
/// Identifies one reported version of one group's change; two deliveries with the same key describe the same change,
/// whatever their SNS MessageIds.
/// </summary>
/// <param name="Version">
/// Config: the item's <c>configurationStateId</c> (else its capture time). CloudTrail: the call's <c>detail.eventID</c>.
/// </param>
/// <param name="Source">
/// Which source reported it. Config keys hash exactly as before this parameter existed, so ledger rows written by
/// earlier versions stay valid; CloudTrail keys hash with the source, so an event id never meets a state id.
/// </param>
public sealed record ChangeKey(string AccountId, string Region, string ResourceId, string Version, ChangeSource Source = ChangeSource.Config)
{
    public override string ToString() => Source == ChangeSource.Config
        ? string.Create(CultureInfo.InvariantCulture, $"{AccountId}/{Region}/{ResourceId}/{Version}")
        : string.Create(CultureInfo.InvariantCulture, $"{AccountId}/{Region}/{ResourceId}/cloudtrail:{Version}");
}
