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
        string? code = null;
        if (response.Headers.TryGetValues("x-amzn-ErrorType", out var values) && values.FirstOrDefault() is { Length: > 0 } header)
        {
            code = header.Split(':', 2)[0];
        }

        var (bodyCode, message) = ReadBody(body, static root =>
            (String(root, "__type") ?? String(root, "code") ?? String(root, "Code") ?? String(root, "type"),
             String(root, "message") ?? String(root, "Message") ?? String(root, "detail")));
        if (code is null && bodyCode is not null)
        {
            var hash = bodyCode.LastIndexOf('#');
            code = hash >= 0 ? bodyCode[(hash + 1)..] : bodyCode;
        }

        return (code, message);
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
