using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

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
    public static async Task<CliResult> RunAsync(IEnumerable<string> args)
    {
        using var process = new Process { StartInfo = StartInfo(args) };
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

/// <summary>
/// <c>sgnotifier serve</c> running on a free 127.0.0.1 port, started and waited for until <c>GET /</c> answers.
/// Its console output is kept for failure messages.
/// </summary>
public sealed class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServeProcess(Process process, Uri baseUri)
    {
        _process = process;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <param name="args">Arguments after <c>serve --urls …</c>.</param>
    /// <param name="environment">Extra environment variables (app settings as <c>Section__Key</c>).</param>
    public static async Task<ServeProcess> StartAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var baseUri = new Uri("http://127.0.0.1:" + EmulatorProcess.FreePort().ToString(CultureInfo.InvariantCulture));
        var start = CliProcess.StartInfo(["serve", "--urls", baseUri.ToString().TrimEnd('/'), .. args]);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var serve = new ServeProcess(new Process { StartInfo = start }, baseUri);
        serve._process.OutputDataReceived += (_, e) => serve.Append(e.Data);
        serve._process.ErrorDataReceived += (_, e) => serve.Append(e.Data);
        Assert.True(serve._process.Start());
        serve._process.BeginOutputReadLine();
        serve._process.BeginErrorReadLine();
        try
        {
            await serve.WaitUntilLiveAsync();
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }

        return serve;
    }

    public ValueTask DisposeAsync()
    {
        CliProcess.Kill(_process);
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private void Append(string? line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + CliProcess.Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                Assert.Fail("serve exited early with code " + _process.ExitCode + ":\n" + Output);
            }

            try
            {
                using var response = await http.GetAsync(new Uri("/", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            catch (TaskCanceledException)
            {
                // slow start
            }

            await Task.Delay(200);
        }

        Assert.Fail("serve did not answer GET / within " + CliProcess.Timeout + ":\n" + Output);
    }
}
