namespace SgNotifier.Core.Diff;

/// <summary>A rule whose identity (direction, protocol, ports, peer) stayed while its description changed.</summary>
public sealed record ChangedRule(AssessedRule Before, AssessedRule After);
