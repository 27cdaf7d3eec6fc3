using System.Diagnostics;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// AWS's own linter, cfn-lint (shipped with this project's machine image, Python 3.11 via pyenv), on both templates:
/// resource types, property names and types, allowed values, GetAtt attributes, IAM policy grammar. Structure and
/// intent are checked by the other deploy tests; this catches what only the CloudFormation resource specification knows.
/// </summary>
public class CloudFormationLintTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [Theory]
    [InlineData(CloudFormationTemplate.RelativePath)]
    [InlineData(CloudFormationTemplate.MemberRelativePath)]
    public void Template_PassesCfnLintWithoutWarnings(string path)
    {
        var (exitCode, output) = Run(path);

        // cfn-lint exits 0 when it found nothing at error or warning level (informational findings are not printed).
        Assert.True(exitCode == 0, $"cfn-lint {path} exited {exitCode}:\n{output}");
    }

    private static (int ExitCode, string Output) Run(string path)
    {
        var startInfo = new ProcessStartInfo(Locate())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        startInfo.ArgumentList.Add("--");
        startInfo.ArgumentList.Add(path);

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("cfn-lint did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"cfn-lint {path} ran longer than {Timeout}.");
        }

        return (process.ExitCode, stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult());
    }

    private static string Locate()
    {
        var home = Environment.GetEnvironmentVariable("HOME") ?? "/root";
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(home, ".pyenv", "shims"))
            .Append("/root/.pyenv/shims")
            .Select(static directory => Path.Combine(directory, "cfn-lint"));

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new Xunit.Sdk.XunitException(
                "cfn-lint was not found on PATH or in ~/.pyenv/shims. The dotnet machine image ships it (pip, Python 3.11); elsewhere: pip install cfn-lint.");
    }
}
