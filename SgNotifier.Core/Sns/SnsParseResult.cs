namespace SgNotifier.Core.Sns;

/// <summary>Either a message or the reason (a stable malformed code) it could not be read.</summary>
public sealed record SnsParseResult(SnsMessage? Message, string? Reason, string? Detail)
{
    public bool IsValid => Message is not null;

    public static SnsParseResult Success(SnsMessage message) => new(message, null, null);

    public static SnsParseResult Malformed(string reason, string detail) => new(null, reason, detail);
}
