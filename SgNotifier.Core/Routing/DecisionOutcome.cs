namespace SgNotifier.Core.Routing;

public enum DecisionOutcome
{
    Ignore,
    Notify,
}
