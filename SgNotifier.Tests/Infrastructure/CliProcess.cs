using System.Diagnostics;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>Runs the built <c>sgnotifier</c> CLI (the same configuration as this test assembly) as a process.</summary>
public static class CliProcess
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>bin/&lt;Configuration&gt;/net10.0/sgnotifier.dll of the CLI project.</summary>
    public static string Dll
    {
        get
        {
            var baseDir = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = baseDir.Parent!.Name;
            var dll = Path.Combine(RepositoryPaths.Root, "SgNotifier.Cli", "bin", configuration, baseDir.Name, "sgnotifier.dll");
            Assert.True(File.Exists(dll), "CLI not built: " + dll);
            return dll;
        }
    }

    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment.Remove("AZURE_FUNCTIONS_ENVIRONMENT");
        return start;
    }

    /// <summary>Runs one command to completion and returns its exit code and both streams.</summary>
    /// <param name="environment">Extra environment variables (app settings as <c>Section__Key</c>).</param>
    public static async Task<CliResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        using var process = new Process { StartInfo = StartInfo(args) };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            process.StartInfo.Environment[name] = value;
        }

        try
        {
            Assert.True(process.Start());
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(timeout.Token);
            return new CliResult(process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            Kill(process);
        }
    }

    public static void Kill(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // never started or already gone
        }
    }
}

public sealed record CliResult(int ExitCode, string StdOut, string StdErr);
