using System.Text.Json;

namespace SgNotifier.Core.Senders;

/// <summary>The code and message an AWS or Azure error response carries, wherever it put them.</summary>
internal static class ProviderError
{
    /// <summary>
    /// AWS REST-JSON: <c>x-amzn-ErrorType</c> (<c>Code:uri</c>) or body <c>__type</c> (<c>namespace#Code</c>) /
    /// <c>code</c>, and <c>message</c>. aws-ses-v2-local puts its code in <c>type</c>.
    /// </summary>
    public static (string? Code, string? Message) Aws(HttpResponseMessage response, string body)
    {
        var (bodyCode, message) = ReadBody(body, static root =>
            (String(root, "__type") ?? String(root, "code") ?? String(root, "Code") ?? String(root, "type"),
             String(root, "message") ?? String(root, "Message") ?? String(root, "detail")));
        var header = response.Headers.TryGetValues("x-amzn-ErrorType", out var values) ? values.FirstOrDefault() : null;
        return (AwsCode(string.IsNullOrEmpty(header) ? bodyCode : header), message);
    }

    /// <summary>
    /// The bare error code, as the AWS SDKs sanitise it: anything up to a <c>#</c> is a namespace
    /// (<c>com.amazonaws.sesv2#MessageRejected</c>), anything from a <c>:</c> a URI (<c>MessageRejected:http://…</c>),
    /// and either may come in the header or the body.
    /// </summary>
    public static string? AwsCode(string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        var code = raw.AsSpan();
        var colon = code.IndexOf(':');
        if (colon >= 0)
        {
            code = code[..colon];
        }

        var hash = code.LastIndexOf('#');
        if (hash >= 0)
        {
            code = code[(hash + 1)..];
        }

        code = code.Trim();
        return code.IsEmpty ? null : code.ToString();
    }

    /// <summary>Azure: <c>x-ms-error-code</c> or body <c>{"error": {"code", "message"}}</c>.</summary>
    public static (string? Code, string? Message) Azure(string? headerCode, string body)
    {
        var (bodyCode, message) = ReadBody(body, static root =>
            root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                ? (String(error, "code"), String(error, "message"))
                : (null, null));
        return (string.IsNullOrEmpty(headerCode) ? bodyCode : headerCode, message);
    }

    private static (string? Code, string? Message) ReadBody(string body, Func<JsonElement, (string?, string?)> read)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, null);
            }

            // Providers name the refused addresses in their messages; this text reaches logs and the ledger.
            var (code, message) = read(document.RootElement);
            return (code, AddressMask.MaskText(message));
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
