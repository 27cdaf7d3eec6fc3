namespace SgNotifier.Core.Sources.Config;

/// <summary>The <c>Configuration</c> key of <c>changedProperties</c>: the whole configuration before and after.</summary>
public sealed record ConfigurationChange(SecurityGroupConfiguration? PreviousValue, SecurityGroupConfiguration? UpdatedValue);
