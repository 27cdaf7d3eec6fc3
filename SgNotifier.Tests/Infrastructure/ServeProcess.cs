using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace SgNotifier.Tests.Infrastructure;

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

    /// <summary>
    /// A Production <c>serve</c> accepting <see cref="ConfigChanges.Topic"/> and mailing example.com owners through the SES
    /// endpoint at <paramref name="ses"/>: what the signed-delivery process tests share. Callers add credentials, ledger
    /// and logging settings of their own.
    /// </summary>
    public static Dictionary<string, string> ProductionSesEnvironment(Uri ses) => new()
    {
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["Sns__AllowedTopicArns__0"] = ConfigChanges.Topic,
        ["Notify__AllowedRecipientDomains__0"] = "example.com",
        ["Email__Provider"] = "Ses",
        ["Email__From"] = "sg-alerts@example.com",
        ["Email__Ses__Region"] = "us-east-1",
        ["Email__Ses__ServiceUrl"] = ses.ToString(),
    };

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
