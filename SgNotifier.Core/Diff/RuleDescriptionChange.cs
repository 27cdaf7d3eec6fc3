namespace SgNotifier.Core.Diff;

/// <summary>A rule that kept its identity (direction, protocol, ports, peer) and changed its description.</summary>
public sealed record RuleDescriptionChange(SecurityGroupRule Before, SecurityGroupRule After);
