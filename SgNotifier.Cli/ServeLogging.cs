namespace SgNotifier.Cli;

/// <summary>
/// The log levels <c>serve</c> starts from: at most one line per request at Information, the delivery's outcome
/// (events 1000–1003 of <c>SnsDeliveryHandler</c>). ASP.NET Core writes about six Information lines per request
/// (hosting diagnostics, routing, result executors) and the pipeline's stages one each (decision, outbox, mail); under
/// load they drown the outcome lines, so both start at Warning. They are configuration, not code: a settings file or
/// <c>Logging__LogLevel__…</c> variables override them. The Functions host keeps its host.json filters.
/// </summary>
internal static class ServeLogging
{
    public static IReadOnlyDictionary<string, string?> Defaults { get; } = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:SgNotifier"] = "Warning",
        ["Logging:LogLevel:SgNotifier.Core.SnsDeliveryHandler"] = "Information",
        // What serve accepts and how to try it (events 7000–7004): once at start, not per request.
        ["Logging:LogLevel:SgNotifier.Cli.Serve"] = "Information",
        ["Logging:Console:FormatterName"] = "simple",
        ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        ["Logging:Console:FormatterOptions:UseUtcTimestamp"] = "true",
        ["Logging:Console:FormatterOptions:TimestampFormat"] = "yyyy-MM-ddTHH:mm:ss.fffZ ",
    };
}
