using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// <c>azure.yaml</c> at the repository root (Azure Developer CLI): its infrastructure, service and hook must name what
/// exists in this repository, so that <c>azd up</c> provisions <c>deploy/azure/main.bicep</c> and publishes the functions.
/// </summary>
public partial class AzdProjectTests
{
    private static readonly Lazy<JsonObject> Project = new(static () => CloudFormationYaml.Parse(RepositoryRoot.ReadAllText("azure.yaml")));

    [Fact]
    public void Infra_IsTheBicepTemplateAndItsParametersFile()
    {
        var infra = Project.Value["infra"]!;
        var path = (string?)infra["path"];
        var module = (string?)infra["module"];

        Assert.Equal("bicep", (string?)infra["provider"]);
        Assert.NotNull(path);
        Assert.NotNull(module);
        Assert.Equal(CompiledBicepTemplate.TemplatePath, $"{path}/{module}.bicep");
        Assert.True(File.Exists(RepositoryRoot.File($"{path}/{module}.bicep")));
        // azd prefers <module>.bicepparam over <module>.parameters.json: the one it will use must be the env-reading file.
        Assert.Equal(CompiledBicepTemplate.ParametersPath, $"{path}/{module}.bicepparam");
        Assert.Contains("readEnvironmentVariable(", RepositoryRoot.ReadAllText(CompiledBicepTemplate.ParametersPath), StringComparison.Ordinal);
        Assert.False(File.Exists(RepositoryRoot.File($"{path}/{module}.parameters.json")), "Two parameter files: azd would ignore one of them.");
    }

    [Fact]
    public void Service_IsTheFunctionsProjectDeployedToTheTaggedFunctionApp()
    {
        var service = Assert.Single(Project.Value["services"]!.AsObject());
        var project = (string?)service.Value?["project"];

        Assert.Equal("./SgNotifier.Functions", project);
        Assert.True(File.Exists(RepositoryRoot.File($"{project![2..]}/SgNotifier.Functions.csproj")));
        Assert.Equal("dotnet", (string?)service.Value?["language"]);
        Assert.Equal("function", (string?)service.Value?["host"]);

        // azd finds the resource to deploy to by its azd-service-name tag.
        var template = CompiledBicepTemplate.Get();
        Assert.Equal(service.Key, (string?)template.Variable("azdServiceName"));
        Assert.Contains(
            "createObject('azd-service-name', variables('azdServiceName'))",
            (string?)template.SingleResourceOfType("Microsoft.Web/sites")["tags"],
            StringComparison.Ordinal);
    }

    [Fact]
    public void PostProvisionHook_PrintsTheSubscriptionUrlFromABicepOutput()
    {
        var run = (string?)Project.Value["hooks"]?["postprovision"]?["run"];
        Assert.NotNull(run);
        var outputs = CompiledBicepTemplate.Get().RequireArm()["outputs"]!.AsObject();

        var variables = EnvironmentVariable().Matches(run).Select(static m => m.Groups["name"].Value).ToList();
        Assert.Contains("SNS_SUBSCRIPTION_URL_PATTERN", variables);
        Assert.All(variables, v => Assert.True(outputs.ContainsKey(v), $"The hook prints ${v}, which no output of main.bicep sets."));
        Assert.Equal("[format('https://{0}/api/sns?code=<function-key>', reference('site').defaultHostName)]", (string?)outputs["SNS_SUBSCRIPTION_URL_PATTERN"]?["value"]);
    }

    [GeneratedRegex(@"\$(?<name>[A-Z][A-Z0-9_]*)")]
    private static partial Regex EnvironmentVariable();
}
