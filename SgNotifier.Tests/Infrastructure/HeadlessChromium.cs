using System.Diagnostics;

namespace SgNotifier.Tests.Infrastructure;

/// <summary>
/// Debian's <c>chromium</c> (installed by <c>.ci/run</c>), run headless with a fresh profile and nothing that reaches
/// the network. Absent locally (no <c>CI</c> variable), its tests are skipped, saying why; in CI they fail instead.
/// </summary>
public static class HeadlessChromium
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly Lazy<string?> LazyPath = new(static () =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(static dir => new[] { "chromium", "chromium-browser" }.Select(name => Path.Combine(dir, name)))
            .FirstOrDefault(File.Exists));

    public static string? ExecutablePath => LazyPath.Value;

    public static bool InCi => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>Where tests keep what a reviewer should look at: <c>SGNOTIFIER_TEST_ARTIFACTS</c> (CI: beside the TRX), else the test output.</summary>
    public static string ArtifactsDirectory(string name)
    {
        var root = Environment.GetEnvironmentVariable("SGNOTIFIER_TEST_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(AppContext.BaseDirectory, "artifacts");
        return Directory.CreateDirectory(Path.Combine(root, name)).FullName;
    }

    /// <summary>Runs chromium on one page with the given extra switches and returns its standard output.</summary>
    public static async Task<string> RunAsync(Uri page, params string[] switches)
    {
        var executable = ExecutablePath ?? throw new InvalidOperationException("chromium is not installed: .ci/run installs it (apt-get install chromium)");
        var profile = Directory.CreateTempSubdirectory("sgnotifier-chromium-");
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.FullName,
        }.Concat(switches).Append(page.AbsoluteUri))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = new Process { StartInfo = start };
        try
        {
            Assert.True(process.Start());
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            CliProcess.Kill(process);
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // a crash reporter may still hold a file; the temp folder is cleaned eventually
            }
        }
    }
}

/// <summary>A theory that needs chromium: skipped (with the reason) only outside CI when chromium is absent.</summary>
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (HeadlessChromium.ExecutablePath is null && !HeadlessChromium.InCi)
        {
            Skip = "chromium is not installed (apt-get install chromium); CI installs it and runs this test";
        }
    }
}
