using System.Text.Json;

namespace SgNotifier.Core;

/// <summary>
/// The answer of <c>GET /api/health</c>: 200 when every check passes, 503 otherwise. The details are our own words,
/// status codes and setting names, never a value, key or connection string.
/// </summary>
public sealed record HealthReport(IReadOnlyList<HealthCheckResult> Checks)
{
    public bool IsHealthy => Checks.All(static c => c.Healthy);

    public int HttpStatus => IsHealthy ? 200 : 503;

    /// <summary><c>{"status":"healthy","checks":{"settings":{"healthy":true,"detail":"…"},…}}</c>.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("status", IsHealthy ? "healthy" : "unhealthy");
            writer.WriteStartObject("checks");
            foreach (var check in Checks)
            {
                writer.WriteStartObject(check.Name);
                writer.WriteBoolean("healthy", check.Healthy);
                writer.WriteString("detail", check.Detail);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <param name="Name"><c>settings</c>, <c>ledger</c> or <c>email</c>.</param>
public sealed record HealthCheckResult(string Name, bool Healthy, string Detail);
