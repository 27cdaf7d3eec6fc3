using System.Text.RegularExpressions;

namespace SgNotifier.Tests.Deploy;

public partial class DeployGuideTests
{
    private const string GuidePath = "docs/deploy.md";

    private static readonly Lazy<string> Guide = new(static () => RepositoryRoot.ReadAllText(GuidePath));

    [Theory]
    [InlineData("topic-not-allowed")]
    [InlineData("untrusted-cert-url")]
    [InlineData("unsupported-signature-version")]
    [InlineData("bad-signature")]
    [InlineData("stale-message")]
    [InlineData("cert-expired")]
    [InlineData("cert-unavailable")]
    [InlineData("invalid-json")]
    [InlineData("duplicate-key")]
    [InlineData("missing-field")]
    [InlineData("type-mismatch")]
    [InlineData("raw-delivery")]
    [InlineData("too-large")]
    [InlineData("not-config")]
    [InlineData("not-item-change")]
    [InlineData("not-security-group")]
    [InlineData("notifications-off")]
    [InlineData("no-recipients")]
    [InlineData("no-change")]
    [InlineData("duplicate")]
    [InlineData("send-failed")]
    public void Guide_TellsWhatToCheckForReasonCode(string code)
    {
        var row = Guide.Value.Split('\n').SingleOrDefault(line => line.StartsWith($"| `{code}` |", StringComparison.Ordinal));

        Assert.NotNull(row);
        var cells = row.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, cells.Length);
        Assert.Matches(@"^\d{3}", cells[1]);
        Assert.All(cells, c => Assert.NotEmpty(c));
    }

    [Fact]
    public void GuideCommands_PassOnlyParametersTheTemplatesDeclare()
    {
        var cloudFormation = CloudFormationTemplate.Load().Parameters.Select(static p => p.Key).ToHashSet(StringComparer.Ordinal);
        var bicep = CompiledBicepTemplate.Get().RequireArm()["parameters"]!.AsObject().Select(static p => p.Key).ToHashSet(StringComparer.Ordinal);

        var awsNames = ParameterNamesAfter("aws cloudformation deploy", "--parameter-overrides");
        var azureNames = ParameterNamesAfter("az deployment group create", " -p ");

        Assert.NotEmpty(awsNames);
        Assert.NotEmpty(azureNames);
        Assert.All(awsNames, name => Assert.True(cloudFormation.Contains(name), $"{GuidePath} passes {name}= to CloudFormation, which declares no such parameter."));
        Assert.All(azureNames, name => Assert.True(bicep.Contains(name), $"{GuidePath} passes {name}= to Bicep, which declares no such parameter."));
    }

    [Fact]
    public void GuideProse_NamesOnlyParametersTheTemplatesDeclare()
    {
        var cloudFormation = CloudFormationTemplate.Load().Parameters.Select(static p => p.Key).ToHashSet(StringComparer.Ordinal);
        var bicep = CompiledBicepTemplate.Get().RequireArm()["parameters"]!.AsObject().Select(static p => p.Key).ToHashSet(StringComparer.Ordinal);

        // In `inline code`, Name=value is a CloudFormation parameter and name=value a Bicep one.
        var names = InlineCode().Matches(Guide.Value)
            .SelectMany(static span => Assignment().Matches(span.Groups["code"].Value))
            .Select(static m => m.Groups["name"].Value)
            .ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(
            char.IsUpper(name[0]) ? cloudFormation.Contains(name) : bicep.Contains(name),
            $"{GuidePath} mentions {name}=, which neither template declares as such."));
    }

    [Fact]
    public void Readme_LinksTheGuide()
    {
        Assert.Contains("(docs/deploy.md)", RepositoryRoot.ReadAllText("README.md"), StringComparison.Ordinal);
    }

    private static List<string> ParameterNamesAfter(string command, string marker)
    {
        var names = new List<string>();
        foreach (var block in FencedBlock().Matches(Guide.Value).Select(static m => m.Groups["body"].Value))
        {
            var start = block.IndexOf(command, StringComparison.Ordinal);
            if (start < 0)
            {
                continue;
            }

            var markerAt = block.IndexOf(marker, start, StringComparison.Ordinal);
            Assert.True(markerAt >= 0, $"A `{command}` in {GuidePath} passes no parameters with {marker.Trim()}.");
            var end = block.IndexOf("\n\n", markerAt, StringComparison.Ordinal);
            var arguments = block[markerAt..(end < 0 ? block.Length : end)];
            names.AddRange(Assignment().Matches(arguments).Select(static m => m.Groups["name"].Value));
        }

        return names;
    }

    [GeneratedRegex(@"```[a-z]*\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"(?<!`)`(?<code>[^`\n]+)`(?!`)")]
    private static partial Regex InlineCode();

    [GeneratedRegex(@"(?:^|\s)(?<name>[A-Za-z][A-Za-z0-9]*)=")]
    private static partial Regex Assignment();
}
