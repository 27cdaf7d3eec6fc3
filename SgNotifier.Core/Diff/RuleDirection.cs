namespace SgNotifier.Core.Diff;

public enum RuleDirection
{
    Ingress,
    Egress,
}
