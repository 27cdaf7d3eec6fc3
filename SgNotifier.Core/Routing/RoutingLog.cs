using Microsoft.Extensions.Logging;

namespace SgNotifier.Core.Routing;

/// <summary>Log messages of the Config, diff and routing stage (event ids 2000–2099). Never bodies, tag values or addresses.</summary>
internal static partial class RoutingLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information,
        Message = "Config change {Key} ({MessageType}): {Outcome} {Reason}, {RecipientCount} recipients, {AddedCount} added, {RemovedCount} removed, {ChangedCount} changed rules, {TagChangeCount} tag changes, risky {IsRisky}")]
    public static partial void Decided(this ILogger logger, string? key, string? messageType, DecisionOutcome outcome, string reason,
        int recipientCount, int addedCount, int removedCount, int changedCount, int tagChangeCount, bool isRisky);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Message ignored ({Reason}, {MessageType}): {Detail}")]
    public static partial void Ignored(this ILogger logger, string reason, string? messageType, string detail);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Config message could not be read ({Reason}, {MessageType}): {Problem}")]
    public static partial void Unreadable(this ILogger logger, string reason, string? messageType, string? problem);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "{Count} owner addresses of {Key} were rejected: {Reasons}")]
    public static partial void RecipientsRejected(this ILogger logger, string? key, int count, string reasons);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Oversized item of {Key} could not be fetched from S3: {Problem}")]
    public static partial void OversizedFetchFailed(this ILogger logger, string? key, string? problem);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Security group of {Key} could not be described by EC2: {Problem}")]
    public static partial void Ec2LookupFailed(this ILogger logger, string? key, string? problem);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Transient AWS failure while inspecting {Key}, SNS should retry: {Problem}")]
    public static partial void TransientAwsFailure(this ILogger logger, string? key, string? problem);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "A change of security group {Key} was NOT notified to anyone ({Reason}): {Detail}")]
    public static partial void ChangeNotNotified(this ILogger logger, string? key, string reason, string detail);
}
