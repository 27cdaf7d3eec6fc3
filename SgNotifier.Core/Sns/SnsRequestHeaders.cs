namespace SgNotifier.Core.Sns;

/// <summary>The SNS headers of an HTTP delivery; all null when the body comes from a file (preview).</summary>
public sealed record SnsRequestHeaders(string? MessageType, string? MessageId, string? TopicArn, string? RawDelivery, long? ContentLength)
{
    public const string MessageTypeHeader = "x-amz-sns-message-type";
    public const string MessageIdHeader = "x-amz-sns-message-id";
    public const string TopicArnHeader = "x-amz-sns-topic-arn";
    public const string RawDeliveryHeader = "x-amz-sns-rawdelivery";

    public static SnsRequestHeaders None { get; } = new(null, null, null, null, null);

    /// <summary>Reads the headers through a lookup that returns null (or empty) for an absent header.</summary>
    public static SnsRequestHeaders From(Func<string, string?> header, long? contentLength)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new(
            NullIfEmpty(header(MessageTypeHeader)),
            NullIfEmpty(header(MessageIdHeader)),
            NullIfEmpty(header(TopicArnHeader)),
            NullIfEmpty(header(RawDeliveryHeader)),
            contentLength);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
