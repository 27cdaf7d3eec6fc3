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
    [InlineData("call-failed")]
    [InlineData("not-security-group-call")]
    [InlineData("source-disabled")]
    [InlineData("already-notified")]
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
        var cloudFormation = CloudFormationParameters();
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
        var cloudFormation = CloudFormationParameters();
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
    public void GuideStackSetCommands_PassOnlyParametersTheMemberTemplateDeclares()
    {
        var member = CloudFormationTemplate.LoadMember().Parameters.Select(static p => p.Key).ToHashSet(StringComparer.Ordinal);

        var names = CodeBlocks()
            .Where(static b => b.Contains("create-stack-set", StringComparison.Ordinal))
            .SelectMany(static b => ParameterKey().Matches(b))
            .Select(static m => m.Groups["name"].Value)
            .ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.True(member.Contains(name), $"{GuidePath} passes ParameterKey={name} to the member StackSet, which declares no such parameter."));
        var required = CloudFormationTemplate.LoadMember().Parameters.Where(static p => p.Value?["Default"] is null).Select(static p => p.Key);
        Assert.All(required, name => Assert.Contains(name, names));
    }

    [Fact]
    public void GuideStackSetUpdate_PassesOnlyMemberParameters_AndKeepsTheRequiredOnes()
    {
        var parameters = CloudFormationTemplate.LoadMember().Parameters;
        var block = Assert.Single(CodeBlocks(), static b => b.Contains("update-stack-set", StringComparison.Ordinal) && b.Contains("--parameters", StringComparison.Ordinal));
        var names = ParameterKey().Matches(block).Select(static m => m.Groups["name"].Value).ToList();

        Assert.Contains("EnableCloudTrailSource", names);
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.All(names, name => Assert.True(parameters.ContainsKey(name), $"{GuidePath} passes ParameterKey={name} to the member StackSet, which declares no such parameter."));
        // A parameter left out of update-stack-set is not kept: every one without a default must say UsePreviousValue.
        Assert.All(parameters.Where(static p => p.Value?["Default"] is null), p => Assert.Contains($"ParameterKey={p.Key},UsePreviousValue=true", block, StringComparison.Ordinal));
    }

    [Fact]
    public void GuideCloudTrailSettings_AreTheNotifySourcesList()
    {
        var block = Assert.Single(CodeBlocks(), static b => b.Contains("Notify__Sources__", StringComparison.Ordinal));
        var settings = ExtraAppSettings().Match(block);

        Assert.True(settings.Success, $"{GuidePath} sets Notify__Sources__N outside extraAppSettings.");
        var json = System.Text.Json.Nodes.JsonNode.Parse(settings.Groups["json"].Value)!.AsObject();
        Assert.Equal(["Notify__Sources__0", "Notify__Sources__1"], json.Select(static p => p.Key));
        Assert.Equal(["Config", "CloudTrail"], json.Select(static p => (string?)p.Value));
        Assert.Contains("`Notify__Sources__0=Config`", Guide.Value, StringComparison.Ordinal);
        Assert.Contains("`Notify__Sources__1=CloudTrail`", Guide.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void GuideCommands_ReferToFilesThatExist()
    {
        var paths = CodeBlocks()
            .SelectMany(static b => RepositoryPath().Matches(b))
            .Select(static m => m.Groups["path"].Value.TrimEnd('.', ',', ':', ';'))
            .Distinct(StringComparer.Ordinal)
            .ToList();

        Assert.Contains("deploy/aws/sgnotifier-member.yaml", paths);
        Assert.Contains("samples/rdp-opened.json", paths);
        Assert.All(paths, path => Assert.True(
            File.Exists(RepositoryRoot.File(path)) || Directory.Exists(RepositoryRoot.File(path)),
            $"{GuidePath} runs a command on {path}, which is not in the repository."));
    }

    [Fact]
    public void GuideCommands_UseOnlyVariablesTheGuideSets()
    {
        // The variables a reader's shell has only because an earlier block of the guide set them (FUNC once was not).
        var blocks = CodeBlocks().Where(static b => !b.TrimStart().StartsWith("traces", StringComparison.Ordinal)).ToList();
        var assigned = blocks
            .SelectMany(static b => Assigned().Matches(b).Select(static m => m.Groups["name"].Value)
                .Concat(ReadInto().Matches(b).SelectMany(static m => m.Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))))
            .ToHashSet(StringComparer.Ordinal);
        var used = blocks.SelectMany(static b => Used().Matches(b)).Select(static m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).ToList();

        Assert.Contains("FUNC", assigned);
        Assert.NotEmpty(used);
        Assert.All(used, name => Assert.True(assigned.Contains(name), $"{GuidePath} uses ${name}, which no command of the guide sets."));
    }

    [Fact]
    public void GuideAzdSettings_AreReadByTheParametersFile()
    {
        var parametersFile = RepositoryRoot.ReadAllText(CompiledBicepTemplate.ParametersPath);
        var names = AzdEnvSet().Matches(Guide.Value).Select(static m => m.Groups["name"].Value)
            .Where(static n => !n.StartsWith("AZURE_", StringComparison.Ordinal))
            .ToList();

        Assert.Contains("SNS_ALLOWED_TOPIC_ARNS", names);
        Assert.All(names, name => Assert.Contains($"readEnvironmentVariable('{name}'", parametersFile, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("401")]
    [InlineData("403 `topic-not-allowed`")]
    [InlineData("413 `too-large`")]
    [InlineData("200 `send-failed` (permanent)")]
    [InlineData("`UnsubscribeConfirmation`")]
    public void Guide_GivesEveryAnswerThatBypassesTheDeadLetterQueueAnAlert(string answer)
    {
        var row = Guide.Value.Split('\n').SingleOrDefault(line => line.StartsWith($"| {answer} |", StringComparison.Ordinal));
        Assert.NotNull(row);

        var cells = row.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var azureAlerts = CompiledBicepTemplate.Get().Variable("logAlerts").AsArray().Select(static a => (string?)a?["name"]).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var awsAlarms = CloudFormationTemplate.Load().ResourcesOfType("AWS::CloudWatch::Alarm").Select(static a => a.Key).ToHashSet(StringComparer.Ordinal);
        var named = InlineCode().Matches(cells[2] + " " + cells[3]).Select(static m => m.Groups["code"].Value).ToList();

        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.True(azureAlerts.Contains(name) || awsAlarms.Contains(name), $"{name} is neither an Azure log alert nor an AWS alarm."));
    }

    [Fact]
    public void Readme_LinksTheGuide()
    {
        Assert.Contains("(docs/deploy.md)", RepositoryRoot.ReadAllText("README.md"), StringComparison.Ordinal);
    }

    private static HashSet<string> CloudFormationParameters() =>
        CloudFormationTemplate.Load().Parameters.Concat(CloudFormationTemplate.LoadMember().Parameters)
            .Select(static p => p.Key).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<string> CodeBlocks() => FencedBlock().Matches(Guide.Value).Select(static m => m.Groups["body"].Value);

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

    [GeneratedRegex(@"ParameterKey=(?<name>[A-Za-z0-9]+),")]
    private static partial Regex ParameterKey();

    // A path into the repository as a command names it: deploy/..., samples/..., docs/..., SgNotifier.X, optionally file://.
    [GeneratedRegex(@"(?<![\w/.$-])(?:file://)?(?<path>(?:deploy|samples|docs|bench)/[A-Za-z0-9_./-]+|SgNotifier\.[A-Za-z]+(?:/[A-Za-z0-9_./-]+)?)")]
    private static partial Regex RepositoryPath();

    [GeneratedRegex(@"(?:^|[\s;(])(?:export\s+)?(?<name>[A-Z][A-Z0-9_]*)=", RegexOptions.Multiline)]
    private static partial Regex Assigned();

    [GeneratedRegex(@"read -r (?<names>[A-Z][A-Z0-9_ ]*[A-Z0-9_])")]
    private static partial Regex ReadInto();

    [GeneratedRegex(@"\$\{?(?<name>[A-Z][A-Z0-9_]*)")]
    private static partial Regex Used();

    [GeneratedRegex(@"azd env set (?<name>[A-Z][A-Z0-9_]*)")]
    private static partial Regex AzdEnvSet();

    [GeneratedRegex(@"extraAppSettings='(?<json>\{[^']*\})'")]
    private static partial Regex ExtraAppSettings();
}
