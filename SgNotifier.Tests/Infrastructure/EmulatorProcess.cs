using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// One emulator process (Azurite's table service or aws-ses-v2-local) bound to 127.0.0.1 on a free port,
/// started from the pinned npm packages in <c>.ci/</c> (installed with <c>npm ci</c> on first use).
/// Fault tests start a private one so they can stop and restart it without disturbing other tests.
/// </summary>
public sealed class EmulatorProcess : IAsyncDisposable
{
    public const string AzuriteAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly string _tool;
    private readonly Func<int, string[]> _arguments;
    private Process? _process;

    private EmulatorProcess(string tool, int port, Func<int, string[]> arguments)
    {
        _tool = tool;
        Port = port;
        _arguments = arguments;
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Connection string for Azurite's table service on this port.</summary>
    public string TableConnectionString =>
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + AzuriteAccountKey +
        $";TableEndpoint=http://127.0.0.1:{Port}/devstoreaccount1;";

    public static Task<EmulatorProcess> StartAzuriteTableAsync(int? port = null) =>
        StartAsync(new EmulatorProcess("azurite-table", port ?? FreePort(), p =>
            ["--tableHost", "127.0.0.1", "--tablePort", p.ToString(System.Globalization.CultureInfo.InvariantCulture),
             "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl", "--disableTelemetry"]));

    public static Task<EmulatorProcess> StartSesAsync(int? port = null) =>
        StartAsync(new EmulatorProcess("aws-ses-v2-local", port ?? FreePort(), p =>
            ["--host", "127.0.0.1", "--port", p.ToString(System.Globalization.CultureInfo.InvariantCulture)]));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Stops the process (a "provider down" or "storage down" fault); <see cref="RestartAsync"/> brings it back on the same port.</summary>
    public async Task StopAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
        await WaitUntilAsync(() => !IsListening(Port), TimeSpan.FromSeconds(10), "port to close");
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        await LaunchAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static async Task<EmulatorProcess> StartAsync(EmulatorProcess emulator)
    {
        await EnsureInstalledAsync();
        await emulator.LaunchAsync();
        return emulator;
    }

    private async Task LaunchAsync()
    {
        var bin = Path.Combine(RepositoryPaths.Root, ".ci", "node_modules", ".bin", _tool);
        var info = new ProcessStartInfo(bin)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in _arguments(Port))
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start " + _tool);
        _process.OutputDataReceived += static (_, _) => { };
        _process.ErrorDataReceived += static (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAsync(() => IsListening(Port) || _process.HasExited, TimeSpan.FromSeconds(60), _tool + " to listen");
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"{_tool} exited with code {_process.ExitCode} before listening on {Port}");
        }
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            var ci = Path.Combine(RepositoryPaths.Root, ".ci");
            if (File.Exists(Path.Combine(ci, "node_modules", ".bin", "azurite-table")) &&
                File.Exists(Path.Combine(ci, "node_modules", ".bin", "aws-ses-v2-local")))
            {
                return;
            }

            var info = new ProcessStartInfo("npm") { WorkingDirectory = ci, UseShellExecute = false };
            foreach (var argument in new[] { "ci", "--no-audit", "--no-fund", "--loglevel=error" })
            {
                info.ArgumentList.Add(argument);
            }

            using var npm = Process.Start(info) ?? throw new InvalidOperationException("npm not found");
            await npm.WaitForExitAsync();
            if (npm.ExitCode != 0)
            {
                throw new InvalidOperationException("npm ci in .ci/ failed with exit code " + npm.ExitCode);
            }
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static bool IsListening(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var stopwatch = Stopwatch.StartNew();
        while (!condition())
        {
            if (stopwatch.Elapsed > timeout)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(100);
        }
    }
}
