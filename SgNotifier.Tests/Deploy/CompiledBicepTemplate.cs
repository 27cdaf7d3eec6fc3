using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// <c>deploy/azure/main.bicep</c> run through the real Bicep CLI once per test run: <c>build</c>, <c>lint</c> and
/// <c>build-params</c> of the parameters file, with the ARM JSON that <c>build</c> produced.
/// </summary>
internal sealed partial class CompiledBicepTemplate
{
    public const string TemplatePath = "deploy/azure/main.bicep";
    public const string ParametersPath = "deploy/azure/main.bicepparam";

    // Keep ' and < as they are, so tests can look for ARM expressions as written.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly Lazy<CompiledBicepTemplate> Instance = new(static () => new CompiledBicepTemplate());

    /// <summary>Environment variables that <c>main.bicepparam</c> reads, as <c>azd env set</c> or an operator's shell sets them.</summary>
    public static readonly IReadOnlyDictionary<string, string?> ParameterEnvironment = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["SNS_ALLOWED_TOPIC_ARNS"] = "arn:aws:sns:us-east-1:111122223333:sgnotifier-config-changes,arn:aws:sns:eu-west-1:111122223333:sgnotifier-config-changes",
        ["ALLOWED_RECIPIENT_DOMAINS"] = "example.com",
        ["ALERT_EMAIL_ADDRESSES"] = "oncall@example.com",
        ["AWS_WEB_IDENTITY_ROLE_ARN"] = "arn:aws:iam::111122223333:role/SgNotifierHub",
        ["AWS_WEB_IDENTITY_AUDIENCE"] = "api://00000000-0000-0000-0000-000000000001",
        ["AWS_EXTERNAL_ID"] = "sgnotifier-external-id-0001",
        ["SGNOTIFIER_BASE_NAME"] = null,
        ["FALLBACK_RECIPIENTS"] = null,
        ["EMAIL_PROVIDER"] = null,
        ["EMAIL_FROM"] = null,
        ["AWS_REGION"] = null,
        ["AWS_CONFIG_BUCKET"] = null,
        ["AWS_CONFIG_BUCKET_OWNER"] = null,
        ["VNET_ENABLED"] = null,
        ["NOTIFY_ALLOWED_ACCOUNT_IDS"] = null,
    };

    /// <summary>Every variable <c>main.bicepparam</c> reads, removed, so the parent process's environment cannot leak in.</summary>
    public static readonly IReadOnlyDictionary<string, string?> EmptyParameterEnvironment = new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["SNS_ALLOWED_TOPIC_ARNS"] = null,
        ["ALLOWED_RECIPIENT_DOMAINS"] = null,
        ["ALERT_EMAIL_ADDRESSES"] = null,
    };

    private CompiledBicepTemplate()
    {
        Build = BicepCli.Run("build", TemplatePath, "--stdout");
        Lint = BicepCli.Run("lint", TemplatePath);
        BuildParameters = BicepCli.Run(ParameterEnvironment, "build-params", ParametersPath, "--stdout");
        BuildParametersWithoutEnvironment = BicepCli.Run(EmptyParameterEnvironment, "build-params", ParametersPath, "--stdout");
        if (Build.ExitCode == 0)
        {
            Arm = JsonNode.Parse(Build.StandardOutput) as JsonObject;
            Text = Build.StandardOutput;
        }
    }

    public static CompiledBicepTemplate Get() => Instance.Value;

    public BicepRun Build { get; }

    public BicepRun Lint { get; }

    public BicepRun BuildParameters { get; }

    /// <summary><c>build-params</c> with the required environment variables unset: must fail and name them.</summary>
    public BicepRun BuildParametersWithoutEnvironment { get; }

    /// <summary>The ARM template, or null when the build failed.</summary>
    public JsonObject? Arm { get; }

    public string Text { get; } = string.Empty;

    public JsonObject RequireArm() =>
        Arm ?? throw new Xunit.Sdk.XunitException($"bicep build failed:\n{Build}");

    /// <summary>Resources by symbolic name (language version 2.0) or by position (1.0).</summary>
    public IReadOnlyList<KeyValuePair<string, JsonObject>> Resources()
    {
        var resources = RequireArm()["resources"];
        return resources switch
        {
            JsonObject byName => byName.Select(static r => KeyValuePair.Create(r.Key, (JsonObject)r.Value!)).ToList(),
            JsonArray list => list.Select(static (r, i) => KeyValuePair.Create(i.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonObject)r!)).ToList(),
            _ => throw new Xunit.Sdk.XunitException("The ARM template has no resources."),
        };
    }

    public IReadOnlyList<JsonObject> ResourcesOfType(string type) =>
        Resources().Where(r => (string?)r.Value["type"] == type).Select(static r => r.Value).ToList();

    public JsonObject SingleResourceOfType(string type)
    {
        var matches = ResourcesOfType(type);
        Assert.True(matches.Count == 1, $"Expected one {type}, found {matches.Count}.");
        return matches[0];
    }

    /// <summary>
    /// The app settings as ARM compiles them: one expression, because Bicep inlines variables that read other
    /// resources, followed by the definitions of the variables that expression still names.
    /// </summary>
    public string AppSettings()
    {
        var expression = (string?)SingleResourceOfType("Microsoft.Web/sites/config")["properties"]
            ?? throw new Xunit.Sdk.XunitException("The appsettings resource has no properties.");
        var variables = VariableReference().Matches(expression).Select(m => Variable(m.Groups["name"].Value) switch
        {
            JsonValue value => value.ToString(),
            var definition => definition.ToJsonString(Readable),
        });
        return string.Join('\n', variables.Prepend(expression));
    }

    public JsonNode Variable(string name) =>
        RequireArm()["variables"]?[name] ?? throw new Xunit.Sdk.XunitException($"No variable {name} in the ARM template.");

    [GeneratedRegex(@"variables\('(?<name>[A-Za-z0-9_]+)'\)")]
    private static partial Regex VariableReference();
}
