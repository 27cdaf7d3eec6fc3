using System.Diagnostics;
using System.Reflection;

namespace SgNotifier.Tests.Deploy;

/// <summary>
/// The real Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package. The test project's build writes the binary's
/// path into assembly metadata (<c>BicepCliPath</c>), so nothing is downloaded while tests run.
/// </summary>
internal static class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static string ExecutablePath { get; } = Locate();

    /// <summary>Runs <c>bicep</c> with the arguments and returns its exit code and everything it printed.</summary>
    public static BicepRun Run(params string[] arguments) => Run(new Dictionary<string, string?>(), arguments);

    /// <summary>
    /// Runs <c>bicep</c> with these environment variables set (a null value removes the variable), as
    /// <c>readEnvironmentVariable</c> in a <c>.bicepparam</c> file sees them.
    /// </summary>
    public static BicepRun Run(IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(ExecutablePath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("bicep did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bicep {string.Join(' ', arguments)} ran longer than {Timeout}.");
        }

        return new BicepRun(process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    private static string Locate()
    {
        var path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(static a => a.Key == "BicepCliPath")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"The Bicep CLI was not found at '{path}'. Restore SgNotifier.Tests: it references Azure.Bicep.CommandLine.linux-x64 for it.");
        }

        // NuGet extraction does not promise to keep the execute bit. (The package is the linux-x64 build: Linux only.)
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Bicep CLI package referenced by the tests is the linux-x64 build.");
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
        }

        return path;
    }
}

internal sealed record BicepRun(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Lines of the form <c>file(line,col) : Warning|Error CODE: text</c>, wherever bicep printed them.</summary>
    public IReadOnlyList<string> Diagnostics =>
        (StandardOutput + "\n" + StandardError)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(static line => line.Contains(" : Warning ", StringComparison.Ordinal)
                || line.Contains(" : Error ", StringComparison.Ordinal)
                || line.Contains(" : Info ", StringComparison.Ordinal))
            .ToList();

    public override string ToString() =>
        $"exit {ExitCode}\n--- stderr ---\n{StandardError}\n--- stdout (first 2000 chars) ---\n{StandardOutput[..Math.Min(2000, StandardOutput.Length)]}";
}
