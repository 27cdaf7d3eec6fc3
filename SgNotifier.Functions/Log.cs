using Microsoft.Extensions.Logging;

namespace SgNotifier.Functions;

internal static partial class Log
{
    [LoggerMessage(EventId = 1099, Level = LogLevel.Error, Message = "Unexpected failure handling an SNS delivery")]
    public static partial void UnexpectedFailure(this ILogger logger, Exception exception);
}
