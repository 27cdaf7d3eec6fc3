namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>A description set on a rule named only by id (<c>UpdateSecurityGroupRuleDescriptions*</c> by rule ids).</summary>
/// <param name="Description">The new description; null clears it.</param>
public sealed record RuleDescriptionUpdate(string RuleId, string? Description);
