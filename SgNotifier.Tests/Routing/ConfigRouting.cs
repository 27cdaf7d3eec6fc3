using SgNotifier.Core.Changes;
using SgNotifier.Core.Routing;
using SgNotifier.Core.Sources.Config;

namespace SgNotifier.Tests.Routing;

/// <summary>The Config adapter and the router together, as the pipeline runs them for one Config message.</summary>
internal static class ConfigRouting
{
    public static ChangeDecision Decide(ConfigMessage message, NotifyOptions options) => Decide(ConfigChangeReader.Read(message), options);

    public static ChangeDecision Decide(SourceReading reading, NotifyOptions options) => reading switch
    {
        ChangesRead { Changes: [var change] } => ChangeRouter.Route(change, options),
        IgnoredReading ignored => ChangeRouter.Decide(ignored, options),
        _ => throw new InvalidOperationException("not one change: " + reading),
    };
}
