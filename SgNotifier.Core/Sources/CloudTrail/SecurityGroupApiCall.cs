using System.Text.Json;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// A successful security-group API call, as the CloudTrail record tells it: no prior state is looked up here, so
/// each list says only what the event itself proves. Lists that do not apply to <see cref="Api"/> are empty.
/// </summary>
/// <param name="Groups">
/// The groups the call touched: exactly one, except for <c>CreateTags</c>/<c>DeleteTags</c>, which may tag several
/// <c>sg-</c> resources in one call (other resources dropped, duplicates removed, request order kept). The same tag
/// change then applies to each group: the integration makes one change per group, keyed by event id and group id.
/// </param>
/// <param name="Added">Rules authorized (<c>Authorize*</c>); with ids when the response listed them.</param>
/// <param name="Removed">
/// Rules revoked (<c>Revoke*</c>): the response's <c>revokedSecurityGroupRuleSet</c> when present, else the requested
/// rules minus the response's <c>unknownIpPermissionSet</c> (requested rules that did not exist).
/// </param>
/// <param name="RemovedRuleIds">Rule ids revoked whose rule the event does not describe (revoke by id, older responses).</param>
/// <param name="Modified"><c>ModifySecurityGroupRules</c>: each rule's new value, without direction or old value.</param>
/// <param name="DescriptionsUpdated"><c>UpdateSecurityGroupRuleDescriptions*</c> by permissions: the rules with their new descriptions.</param>
/// <param name="DescriptionsUpdatedById"><c>UpdateSecurityGroupRuleDescriptions*</c> by rule ids.</param>
/// <param name="TagsAdded"><c>CreateTags</c>, or the tags <c>CreateSecurityGroup</c> set on the new group.</param>
/// <param name="TagsRemoved"><c>DeleteTags</c>: key → value; a null value removes the key whatever its value.</param>
/// <param name="AllTagsRemoved"><c>DeleteTags</c> without any tag: EC2 then deletes every user-defined tag.</param>
/// <param name="GroupDescription"><c>CreateSecurityGroup</c>'s description.</param>
/// <param name="Record">
/// The CloudTrail record (the EventBridge <c>detail</c>) without <c>requestParameters</c> and
/// <c>responseElements</c>, standalone: otherwise the same shape as LookupEvents' <c>CloudTrailEvent</c>. The actor
/// parser of issue 16 reads <c>userIdentity</c>, <c>sourceIPAddress</c>, <c>userAgent</c> and
/// <c>sessionCredentialFromConsole</c> from it; this parser deliberately does not.
/// </param>
public sealed record SecurityGroupApiCall(
    CloudTrailEventInfo Event,
    SecurityGroupApi Api,
    IReadOnlyList<CloudTrailGroupRef> Groups,
    IReadOnlyList<IdentifiedRule> Added,
    IReadOnlyList<IdentifiedRule> Removed,
    IReadOnlyList<string> RemovedRuleIds,
    IReadOnlyList<ModifiedRule> Modified,
    IReadOnlyList<IdentifiedRule> DescriptionsUpdated,
    IReadOnlyList<RuleDescriptionUpdate> DescriptionsUpdatedById,
    IReadOnlyDictionary<string, string> TagsAdded,
    IReadOnlyDictionary<string, string?> TagsRemoved,
    bool AllTagsRemoved,
    string? GroupDescription,
    JsonElement Record) : CloudTrailReading
{
    /// <summary>The CloudTrail <c>userIdentity</c> object for the actor parser; default when absent.</summary>
    public JsonElement UserIdentity =>
        ConfigJson.TryGetExact(Record, "userIdentity", out var identity) ? identity : default;
}
