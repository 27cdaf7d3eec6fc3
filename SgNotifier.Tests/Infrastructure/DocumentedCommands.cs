using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// The shell commands of a document's fenced code blocks, run as a user would from the repository root in a fresh shell
/// (bash, no environment name, no MSBuild variables inherited from the test run).
/// Equivalences, all chosen to keep CI time and shared ports in check, and nothing else changed:
/// <list type="bullet">
/// <item><c>dotnet run</c> gets <c>--no-build --configuration &lt;this test run's&gt;</c>: the CLI is already built (the test
/// project references it), and <c>dotnet run --no-build</c> still evaluates the project, so its working-folder rules apply.</item>
/// <item><c>127.0.0.1:7071</c> becomes a free port, and a <c>serve</c> without <c>--urls</c> gets one.</item>
/// <item>A <c>serve</c> line is started in the background (the "other terminal") and waited for; it is stopped at the end.</item>
/// </list>
/// Lines that are neither <c>dotnet run --project SgNotifier.Cli</c>, <c>curl</c> nor <c>ls</c> (e.g. <c>dotnet test</c>,
/// <c>func start</c>) are not run.
/// </summary>
public static partial class DocumentedCommands
{
    public const string CliPrefix = "dotnet run --project SgNotifier.Cli";

    /// <summary>The fenced blocks of a document (path relative to the repository root) that run the CLI.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> CliBlocks(string document)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, document));
        return [.. FencedBlock().Matches(text)
            .Select(static m => (IReadOnlyList<string>)[.. m.Groups["body"].Value.Split('\n').Select(static l => l.Trim()).Where(static l => l.Length > 0 && !l.StartsWith('#'))])
            .Where(static lines => lines.Any(static l => l.StartsWith(CliPrefix, StringComparison.Ordinal)))];
    }

    public static async Task<IReadOnlyList<LineResult>> RunAsync(IReadOnlyList<string> lines)
    {
        var port = EmulatorProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        var results = new List<LineResult>();
        var servers = new List<(Process Process, StringBuilder Output)>();
        try
        {
            foreach (var line in lines)
            {
                if (!IsRunnable(line))
                {
                    continue;
                }

                var command = Adapt(line, port);
                if (line.StartsWith(CliPrefix, StringComparison.Ordinal) && Regex.IsMatch(line, @"\s--\s+serve\b"))
                {
                    servers.Add(await StartServeAsync(command, port));
                    continue;
                }

                results.Add(await RunLineAsync(line, command));
            }
        }
        finally
        {
            foreach (var (process, _) in servers)
            {
                CliProcess.Kill(process);
                process.Dispose();
            }
        }

        return results;
    }

    private static bool IsRunnable(string line) =>
        line.StartsWith(CliPrefix, StringComparison.Ordinal) || line.StartsWith("curl ", StringComparison.Ordinal) ||
        line.StartsWith("ls ", StringComparison.Ordinal);

    private static string Adapt(string line, string port)
    {
        var command = line.Replace("127.0.0.1:7071", "127.0.0.1:" + port, StringComparison.Ordinal);
        if (!command.StartsWith(CliPrefix, StringComparison.Ordinal))
        {
            return command;
        }

        command = "dotnet run --no-build --configuration " + Configuration + command["dotnet run".Length..];
        if (Regex.IsMatch(command, @"\s--\s+serve\b") && !command.Contains("--urls", StringComparison.Ordinal))
        {
            command = TrailingComment().Replace(command, string.Empty) + " --urls http://127.0.0.1:" + port;
        }

        return command;
    }

    /// <summary>Debug or Release: the configuration this test assembly (and so the CLI it references) was built in.</summary>
    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static ProcessStartInfo Bash(string command)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        start.ArgumentList.Add("-o");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var name in start.Environment.Keys.Where(static k =>
            k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) ||
            k is "DOTNET_ENVIRONMENT" or "AZURE_FUNCTIONS_ENVIRONMENT" or "ASPNETCORE_ENVIRONMENT" or "ASPNETCORE_URLS" or "DOTNET_URLS").ToList())
        {
            start.Environment.Remove(name);
        }

        return start;
    }

    private static async Task<LineResult> RunLineAsync(string line, string command)
    {
        using var process = new Process { StartInfo = Bash(command) };
        try
        {
            Assert.True(process.Start());
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return new LineResult(line, command, process.ExitCode, await stdout, await stderr);
        }
        finally
        {
            CliProcess.Kill(process);
        }
    }

    private static async Task<(Process, StringBuilder)> StartServeAsync(string command, string port)
    {
        var output = new StringBuilder();
        var process = new Process { StartInfo = Bash("exec " + command) };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                Assert.Fail($"`{command}` exited with code {process.ExitCode}:\n{output}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri("http://127.0.0.1:" + port + "/"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return (process, output);
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        CliProcess.Kill(process);
        Assert.Fail($"`{command}` did not answer GET / within 2 minutes:\n{output}");
        return default;
    }

    [GeneratedRegex(@"^```(?:sh|bash|shell)?[ \t]*\n(?<body>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"\s+#.*$")]
    private static partial Regex TrailingComment();
}

public sealed record LineResult(string Line, string Command, int ExitCode, string StdOut, string StdErr)
{
    public override string ToString() => $"`{Line}` ran as `{Command}`: exit {ExitCode}\n{StdOut}\n{StdErr}";
}
