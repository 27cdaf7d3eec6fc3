namespace SgNotifier.Cli;

/// <summary>The CLI's own log lines (7000–7019: what <c>serve</c> accepts and how to try it).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "serve: POST SNS messages to {Endpoint}")]
    public static partial void ServeEndpoint(this ILogger logger, string endpoint);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "serve accepts messages from {TopicCount} topic(s): {Topics}; signatures {SignatureCheck}")]
    public static partial void ServeAccepts(this ILogger logger, int topicCount, string topics, string signatureCheck);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "serve accepts nothing: Sns:AllowedTopicArns is empty, so every message is answered 403 topic-not-allowed. To try it with the samples: dotnet run --project SgNotifier.Cli -- serve --settings samples/serve-unsigned.json (samples/README.md)")]
    public static partial void ServeAcceptsNothing(this ILogger logger);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "serve mails through {Provider}{Destination}")]
    public static partial void ServeMailsTo(this ILogger logger, string provider, string destination);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Try it: {Command}")]
    public static partial void ServeTryIt(this ILogger logger, string command);
}
