using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary><c>serve</c> says at start what it accepts and how to try it (issue 14), read from its console output.</summary>
public sealed class ServeWelcomeTests
{
    [Fact]
    public async Task Serve_without_settings_says_it_accepts_nothing_and_how_to_try_it()
    {
        await using var serve = await ServeProcess.StartAsync([]);

        var output = await OutputContainingAsync(serve, "[7004]");

        Assert.Contains("[7000]", output, StringComparison.Ordinal);
        Assert.Contains(serve.BaseUri + "api/sns", output, StringComparison.Ordinal);
        Assert.Contains("[7002]", output, StringComparison.Ordinal);
        Assert.Contains("403 topic-not-allowed", output, StringComparison.Ordinal);
        Assert.Contains("--settings samples/serve-unsigned.json", output, StringComparison.Ordinal);
        Assert.Contains($"curl -s {serve.BaseUri}api/sns --data-binary @samples/sns-rdp-opened.json", output, StringComparison.Ordinal);
        Assert.Contains("Outbox to the folder " + Path.Combine(RepositoryPaths.Root, "outbox"), output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_the_samples_unsigned_settings_names_the_topic_and_gives_the_curl_line()
    {
        await using var serve = await ServeProcess.StartAsync(["--settings", "samples/serve-unsigned.json"]);

        var output = await OutputContainingAsync(serve, "[7004]");

        Assert.Contains("[7001]", output, StringComparison.Ordinal);
        Assert.Contains("arn:aws:sns:us-east-1:123456789012:config-sg-changes", output, StringComparison.Ordinal);
        Assert.Contains("signatures NOT verified", output, StringComparison.Ordinal);
        Assert.DoesNotContain("[7002]", output, StringComparison.Ordinal);
        Assert.Contains("Outbox to the folder " + Path.Combine(RepositoryPaths.Root, "samples", "outbox"), output, StringComparison.Ordinal);
        Assert.Contains($"Try it: curl -s {serve.BaseUri}api/sns --data-binary @samples/sns-rdp-opened.json", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_with_signatures_on_says_they_are_verified()
    {
        await using var serve = await ServeProcess.StartAsync(["--settings", "samples/settings.json"]);

        var output = await OutputContainingAsync(serve, "[7004]");

        Assert.Contains("signatures verified", output, StringComparison.Ordinal);
        Assert.Contains("--settings samples/serve-unsigned.json", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signatures_off_outside_Development_refuses_to_start_naming_the_key()
    {
        var start = CliProcess.StartInfo(["serve", "--urls", "http://127.0.0.1:" + EmulatorProcess.FreePort(), "--settings", "samples/serve-unsigned.json"]);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        using var process = System.Diagnostics.Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(CliProcess.Timeout);
        await process.WaitForExitAsync(timeout.Token);

        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("Sns:VerifySignatures", await stdout + await stderr, StringComparison.Ordinal);
    }

    private static async Task<string> OutputContainingAsync(ServeProcess serve, string text)
    {
        for (var i = 0; i < 100 && !serve.Output.Contains(text, StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        return serve.Output;
    }
}
