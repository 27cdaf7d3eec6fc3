using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SgNotifier.Core;
using SgNotifier.Functions;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Functions;

/// <summary><c>GET /api/health</c> of the Functions app, called as the worker calls it, on the real composition.</summary>
public sealed class HealthFunctionTests
{
    private const string DevelopmentStorageKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Trigger_IsAnonymousGetOnApiHealth()
    {
        var trigger = typeof(HealthFunction).GetMethod(nameof(HealthFunction.RunAsync))!.GetParameters()[0]
            .GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute), false).Cast<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().Single();

        Assert.Equal(Microsoft.Azure.Functions.Worker.AuthorizationLevel.Anonymous, trigger.AuthLevel);
        Assert.Equal(["get"], trigger.Methods ?? []);
        Assert.Equal("health", trigger.Route);
    }

    [Fact]
    public async Task LocalSetup_IsHealthy()
    {
        using var host = new SnsTestHost(Settings(), environment: "Development");

        var (status, body) = await GetAsync(host);

        Assert.Equal(200, status);
        Assert.Equal("healthy", body.GetProperty("status").GetString());
        Assert.Equal(["settings", "ledger", "email"], body.GetProperty("checks").EnumerateObject().Select(static c => c.Name));
        Assert.All(body.GetProperty("checks").EnumerateObject(), static c => Assert.True(c.Value.GetProperty("healthy").GetBoolean()));
    }

    [Fact]
    public async Task OutboxOutsideDevelopment_Is503()
    {
        using var host = new SnsTestHost(Settings());

        var (status, body) = await GetAsync(host);

        Assert.Equal(503, status);
        Assert.Equal("unhealthy", body.GetProperty("status").GetString());
        var email = body.GetProperty("checks").GetProperty("email");
        Assert.False(email.GetProperty("healthy").GetBoolean());
        Assert.Contains("Email:Provider", email.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(host.Logs.Collector.GetSnapshot(), static r => r.Id.Id == 1060 && r.Message.StartsWith("Health check failed: email:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InvalidSettings_Is503_NamingTheKey()
    {
        using var host = new SnsTestHost(Settings(("Email:Provider", "Ses"), ("Email:Ses:Region", "eu-west-1")));

        var (status, body) = await GetAsync(host);

        Assert.Equal(503, status);
        var settings = body.GetProperty("checks").GetProperty("settings");
        Assert.False(settings.GetProperty("healthy").GetBoolean());
        Assert.Contains("Email:From", settings.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoInvalidSections_Is503_NamingBothKeys()
    {
        // The startup validator aggregates when more than one section fails: still a 503 that names each key, not a 500.
        using var host = new SnsTestHost(Settings(("Email:Provider", "Ses"), ("Email:Ses:Region", "eu-west-1"), ("Ledger:LeaseDuration", "00:00:00")));

        var (status, body) = await GetAsync(host);

        Assert.Equal(503, status);
        var detail = body.GetProperty("checks").GetProperty("settings").GetProperty("detail").GetString();
        Assert.Contains("Email:From", detail, StringComparison.Ordinal);
        Assert.Contains("Ledger", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TableLedgerOnAzurite_AndSes_IsHealthy_WithoutSecrets()
    {
        var connection = await SharedEmulators.TableConnectionStringAsync();
        using var host = new SnsTestHost(Settings(
            ("Ledger:Provider", "Table"), ("Ledger:ConnectionString", connection), ("Ledger:TableName", "health" + Guid.NewGuid().ToString("N")[..20]),
            ("Email:Provider", "Ses"), ("Email:From", "sg-alerts@example.com"), ("Email:Ses:Region", "eu-west-1"),
            ("Email:Ses:AccessKeyId", "AKIDEXAMPLE"), ("Email:Ses:SecretAccessKey", "do-not-print-this-secret")));

        var (status, body) = await GetAsync(host);

        Assert.Equal(200, status);
        Assert.Contains("Table storage answered", body.GetProperty("checks").GetProperty("ledger").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("provider ses", body.GetProperty("checks").GetProperty("email").GetProperty("detail").GetString());
        AssertNoSecrets(body, "do-not-print-this-secret", "AKIDEXAMPLE", DevelopmentStorageKey);
    }

    [Fact]
    public async Task UnreachableTableStorage_Is503_WithinTheBudget()
    {
        var port = EmulatorProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var connection = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevelopmentStorageKey};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;";
        using var host = new SnsTestHost(Settings(("Ledger:Provider", "Table"), ("Ledger:ConnectionString", connection)), environment: "Development");

        var (status, body) = await GetAsync(host);

        Assert.Equal(503, status);
        var ledger = body.GetProperty("checks").GetProperty("ledger");
        Assert.False(ledger.GetProperty("healthy").GetBoolean());
        Assert.True(body.GetProperty("checks").GetProperty("email").GetProperty("healthy").GetBoolean());
        AssertNoSecrets(body, DevelopmentStorageKey, port);
    }

    private static void AssertNoSecrets(JsonElement body, params string[] secrets)
    {
        var text = body.GetRawText();
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, text, StringComparison.Ordinal));
    }

    private static Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Sns:AllowedTopicArns:0"] = ConfigChanges.Topic,
            ["Email:Outbox:Directory"] = Path.Combine(Path.GetTempPath(), "sgnotifier-health"),
            ["Ledger:Provider"] = "Memory",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<(int Status, JsonElement Body)> GetAsync(SnsTestHost host)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        var function = new HealthFunction(host.Services.GetRequiredService<HealthProbe>());

        var result = Assert.IsType<ContentResult>(await function.RunAsync(context.Request, CancellationToken.None));

        Assert.Equal("application/json; charset=utf-8", result.ContentType);
        return (result.StatusCode!.Value, JsonDocument.Parse(result.Content!).RootElement);
    }
}
