using System.Globalization;

namespace SgNotifier.Core.Routing;

/// <summary>
/// Identifies one recorded state of one resource; two deliveries with the same key describe the same change,
/// whatever their SNS MessageIds.
/// </summary>
public sealed record ChangeKey(string AccountId, string Region, string ResourceId, string ConfigurationStateId)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{AccountId}/{Region}/{ResourceId}/{ConfigurationStateId}");
}
