using System.Globalization;
using System.Net;
using System.Text.Json;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary><c>GET /api/health</c> of <c>sgnotifier serve</c>, over HTTP to the running process.</summary>
public sealed class ServeHealthTests
{
    [Fact]
    public async Task ServeWithAnAllowedTopic_IsHealthy()
    {
        await using var serve = await ServeProcess.StartAsync([], new Dictionary<string, string>
        {
            ["Sns__AllowedTopicArns__0"] = ConfigChanges.Topic,
        });

        var (status, body) = await GetAsync(serve);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal("provider outbox", body.GetProperty("checks").GetProperty("email").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ServeWithUnreachableLedger_Is503()
    {
        var port = EmulatorProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var serve = await ServeProcess.StartAsync([], new Dictionary<string, string>
        {
            ["Sns__AllowedTopicArns__0"] = ConfigChanges.Topic,
            ["Ledger__Provider"] = "Table",
            ["Ledger__ConnectionString"] = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0LWtleS1ub3QtdG8tcHJpbnQ=;TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
        });

        var (status, body) = await GetAsync(serve);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.False(body.GetProperty("checks").GetProperty("ledger").GetProperty("healthy").GetBoolean());
        Assert.DoesNotContain("c2VjcmV0LWtleS1ub3QtdG8tcHJpbnQ", body.GetRawText(), StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(ServeProcess serve)
    {
        using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await http.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }
}
