using System.Text.Json;

namespace SgNotifier.Cli.Replay;

/// <summary>
/// Reads a file of dead-letter bodies: the output of <c>aws sqs receive-message</c> (<c>{"Messages":[{"Body":…}]}</c>),
/// a JSON array of bodies (strings or envelopes), one envelope, or JSON Lines (one body per line).
/// </summary>
internal static class DeadLetterFile
{
    public static IReadOnlyList<(string Id, string Body)> Read(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("Messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                return messages.EnumerateArray()
                    .Select((m, i) => (Id(m, i), m.TryGetProperty("Body", out var body) && body.ValueKind == JsonValueKind.String ? body.GetString()! : m.GetRawText()))
                    .ToList();
            }

            if (root.ValueKind == JsonValueKind.Array)
            {
                return root.EnumerateArray()
                    .Select((e, i) => ("#" + (i + 1), e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()))
                    .ToList();
            }

            return [("#1", root.GetRawText())];
        }
        catch (JsonException)
        {
            // Not one JSON document: JSON Lines.
            return text.Split('\n')
                .Select((line, i) => ("line " + (i + 1), line.Trim()))
                .Where(static entry => entry.Item2.Length > 0)
                .ToList();
        }
    }

    private static string Id(JsonElement message, int index) =>
        message.TryGetProperty("MessageId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()! : "#" + (index + 1);
}
