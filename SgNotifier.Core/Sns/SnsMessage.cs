namespace SgNotifier.Core.Sns;

/// <summary>
/// An SNS HTTP/S delivery as received. Every value is the raw string after JSON unescaping: the signature covers
/// exactly these characters, so nothing here is re-formatted (not even <see cref="Timestamp"/>).
/// </summary>
public sealed record SnsMessage(
    SnsMessageType Type,
    string MessageId,
    string TopicArn,
    string Message,
    string Timestamp,
    string? Subject,
    string? SignatureVersion,
    string? Signature,
    string? SigningCertUrl,
    string? Token,
    string? SubscribeUrl,
    string? UnsubscribeUrl);
