using System.Text.Json.Nodes;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// Every CLI command of README.md and samples/README.md, parsed out of the documents so docs and tests cannot drift, run
/// as written from the repository root through <c>dotnet run</c> (issue 14: the Web SDK used to start it in
/// SgNotifier.Cli/, so every relative path in the walkthrough missed). See <see cref="DocumentedCommands"/> for the
/// only adaptations (<c>--no-build</c>, a free port instead of 7071).
/// </summary>
[Collection(SamplesOutboxCollection.Name)]
public sealed class DocumentedCommandTests
{
    public static TheoryData<string, int> Blocks()
    {
        var data = new TheoryData<string, int>();
        foreach (var document in new[] { "README.md", "samples/README.md" })
        {
            var blocks = DocumentedCommands.CliBlocks(document);
            for (var i = 0; i < blocks.Count; i++)
            {
                // The walkthrough that delivers to serve has its own test below, with what it must end in.
                if (!IsDeliveryWalkthrough(blocks[i]))
                {
                    data.Add(document, i);
                }
            }
        }

        return data;
    }

    [Fact]
    public void Both_documents_have_cli_commands_to_run()
    {
        Assert.NotEmpty(DocumentedCommands.CliBlocks("README.md"));
        Assert.True(DocumentedCommands.CliBlocks("samples/README.md").Count >= 2);
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public async Task Documented_commands_run_as_written_from_the_repository_root(string document, int block)
    {
        using var outbox = SamplesOutbox.Watch();
        var results = await DocumentedCommands.RunAsync(DocumentedCommands.CliBlocks(document)[block]);

        foreach (var result in results)
        {
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.DoesNotContain("sgnotifier:", result.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain("not found", result.StdErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Samples_walkthrough_delivers_the_sample_change_to_serve_and_leaves_the_mail_in_samples_outbox()
    {
        var block = Assert.Single(DocumentedCommands.CliBlocks("samples/README.md"), IsDeliveryWalkthrough);
        using var outbox = SamplesOutbox.Watch();

        var results = await DocumentedCommands.RunAsync(block);

        var curl = Assert.Single(results, r => r.Line.StartsWith("curl ", StringComparison.Ordinal));
        Assert.True(curl.ExitCode == 0, curl.ToString());
        var answer = JsonNode.Parse(curl.StdOut)!;
        Assert.Equal("notify", (string?)answer["outcome"]);
        Assert.Equal("sent", (string?)answer["reason"]);
        var mail = Assert.Single(outbox.NewMails());
        var text = File.ReadAllText(mail);
        Assert.Contains("dept-a@example.com", text, StringComparison.Ordinal);
        Assert.Contains("3389", text, StringComparison.Ordinal);
        var ls = Assert.Single(results, r => r.Line.StartsWith("ls ", StringComparison.Ordinal));
        Assert.Contains(Path.GetFileName(mail), ls.StdOut, StringComparison.Ordinal);
    }

    private static bool IsDeliveryWalkthrough(IReadOnlyList<string> block) => block.Any(static l => l.StartsWith("curl ", StringComparison.Ordinal));

    [Fact]
    public async Task Relative_paths_in_a_settings_file_resolve_against_the_shells_folder_not_the_settings_files()
    {
        // The built executable started in another folder, with a settings file elsewhere: the outbox lands in the
        // working folder, as under dotnet run and as an installed tool.
        var shell = Directory.CreateTempSubdirectory("sgnotifier-shell-");
        var elsewhere = Directory.CreateTempSubdirectory("sgnotifier-settings-");
        try
        {
            File.WriteAllText(Path.Combine(elsewhere.FullName, "s.json"), """{"Email": {"Provider": "Outbox", "Outbox": {"Directory": "mail"}}}""");
            File.Copy(Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json"), Path.Combine(shell.FullName, "in.json"));
            var settings = Path.GetRelativePath(shell.FullName, Path.Combine(elsewhere.FullName, "s.json"));
            var start = CliProcess.StartInfo(["send-test", "--to", "owner@example.com", "--settings", settings]);
            start.WorkingDirectory = shell.FullName;
            start.FileName = Path.ChangeExtension(CliProcess.Dll, null);
            start.ArgumentList.RemoveAt(0);
            using var process = System.Diagnostics.Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();

            Assert.True(process.ExitCode == 0, await stderr);
            Assert.Single(Directory.GetFiles(Path.Combine(shell.FullName, "mail"), "*.eml"));
            Assert.False(Directory.Exists(Path.Combine(elsewhere.FullName, "mail")));

            var preview = CliProcess.StartInfo(["preview", "in.json", "--json"]);
            preview.WorkingDirectory = shell.FullName;
            using var previewProcess = System.Diagnostics.Process.Start(preview)!;
            var json = await previewProcess.StandardOutput.ReadToEndAsync();
            await previewProcess.WaitForExitAsync();
            Assert.Equal("notify", (string?)JsonNode.Parse(json)!["outcome"]);

            // --cert-dir, relative too: the genuine AWS-signed message verifies against the certificate in ./certs.
            var certs = Directory.CreateDirectory(Path.Combine(shell.FullName, "certs"));
            foreach (var pem in Directory.GetFiles(RepositoryPaths.TestData("Sns", "certs")))
            {
                File.Copy(pem, Path.Combine(certs.FullName, Path.GetFileName(pem)));
            }

            File.Copy(RepositoryPaths.TestData("Sns", "genuine", "notification-config-security-group-sigv1.json"), Path.Combine(shell.FullName, "genuine.json"));
            File.WriteAllText(Path.Combine(shell.FullName, "topic.json"), """{"Sns": {"AllowedTopicArns": ["arn:aws:sns:us-east-1:481746159046:config-topic"]}}""");
            var genuine = CliProcess.StartInfo(["preview", "genuine.json", "--settings", "topic.json", "--cert-dir", "certs", "--now", "2015-09-16T21:50:00Z", "--json"]);
            genuine.WorkingDirectory = shell.FullName;
            using var genuineProcess = System.Diagnostics.Process.Start(genuine)!;
            var verified = JsonNode.Parse(await genuineProcess.StandardOutput.ReadToEndAsync())!;
            await genuineProcess.WaitForExitAsync();
            Assert.Equal(200, (int?)verified["httpStatus"]);
            Assert.Equal("ConfigurationItemChangeNotification", (string?)verified["messageType"]);
        }
        finally
        {
            shell.Delete(recursive: true);
            elsewhere.Delete(recursive: true);
        }
    }
}

/// <summary>Tests that run the samples as written share samples/outbox: one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class SamplesOutboxCollection
{
    public const string Name = "samples/outbox";
}

/// <summary>Which mails appeared in the repository's samples/outbox during a test; removes them afterwards.</summary>
public sealed class SamplesOutbox : IDisposable
{
    private static readonly string Folder = Path.Combine(RepositoryPaths.Root, "samples", "outbox");
    private readonly HashSet<string> _before;
    private readonly bool _existed;

    private SamplesOutbox()
    {
        _existed = Directory.Exists(Folder);
        _before = _existed ? [.. Directory.GetFiles(Folder)] : [];
    }

    public static SamplesOutbox Watch() => new();

    public IReadOnlyList<string> NewMails() =>
        Directory.Exists(Folder) ? [.. Directory.GetFiles(Folder, "*.eml").Where(f => !_before.Contains(f))] : [];

    public void Dispose()
    {
        foreach (var mail in NewMails())
        {
            File.Delete(mail);
        }

        if (!_existed && Directory.Exists(Folder) && Directory.GetFileSystemEntries(Folder).Length == 0)
        {
            Directory.Delete(Folder);
        }
    }
}
