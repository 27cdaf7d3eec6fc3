using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SgNotifier.Tests.Functions.Host.Rpc;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Functions.Host;

/// <summary>
/// A test-only stand-in for the Azure Functions host: it serves <c>AzureFunctionsRpcMessages.FunctionRpc/EventStream</c>
/// over HTTP/2 cleartext on 127.0.0.1, starts the built SgNotifier.Functions as its own <c>dotnet</c> process the way
/// the real host does, and drives it: StartStream → WorkerInitRequest → FunctionsMetadataRequest → one
/// FunctionLoadRequest per function, then invocations (an InvocationRequest over gRPC together with the HTTP request to
/// the worker's own Kestrel, correlated by <c>x-ms-invocation-id</c>).
/// What it does not do: function keys (<c>AuthorizationLevel.Function</c>) are enforced by the real host only, before a
/// request ever reaches the worker, so nothing started this way can test key checking.
/// </summary>
public sealed class StandInFunctionsHost : IAsyncDisposable
{
    /// <summary>Well above the worker's own waits (5 s and 15 s), for a busy 2-core machine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    public static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _pending = new();
    private readonly TaskCompletionSource<StartStream> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly StringBuilder _log = new();
    private readonly DirectoryInfo _home = Directory.CreateTempSubdirectory("sgnotifier-worker-home-");
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = StepTimeout };
    private WebApplication? _grpc;
    private Process? _worker;
    private IServerStreamWriter<StreamingMessage>? _toWorker;

    private StandInFunctionsHost()
    {
    }

    /// <summary>The built worker: SgNotifier.Functions/bin/&lt;configuration&gt;/net10.0 (functions.metadata, host.json, worker.config.json).</summary>
    public static string AppDirectory
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var directory = Path.Combine(RepositoryPaths.Root, "SgNotifier.Functions", "bin", testOutput.Parent!.Name, testOutput.Name);
            Assert.True(File.Exists(Path.Combine(directory, "functions.metadata")), "SgNotifier.Functions not built: " + directory);
            return directory;
        }
    }

    /// <summary>The worker's Kestrel address, from the <c>HttpUri</c> capability of its WorkerInitResponse.</summary>
    public Uri HttpUri { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> WorkerCapabilities { get; private set; } = new Dictionary<string, string>();

    /// <summary>What the worker indexed, by function name.</summary>
    public IReadOnlyDictionary<string, RpcFunctionMetadata> Functions { get; private set; } = new Dictionary<string, RpcFunctionMetadata>();

    public IReadOnlyDictionary<string, StatusResult> LoadResults { get; private set; } = new Dictionary<string, StatusResult>();

    /// <summary>The worker's RpcLog messages (Information and above) and its console output.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Starts the gRPC server and the worker, and runs the handshake and the function loads.</summary>
    /// <param name="environment">App settings (<c>Section__Key</c>) and anything else the worker's environment needs.</param>
    public static async Task<StandInFunctionsHost> StartAsync(IReadOnlyDictionary<string, string> environment)
    {
        var host = new StandInFunctionsHost();
        try
        {
            await host.LaunchAsync(environment);
            if (await host.WaitForStartStreamAsync() is { } exit)
            {
                Assert.Fail($"the worker exited with code {exit} before opening the event stream:\n{host.Log}");
            }

            await host.HandshakeAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the worker expecting it to fail before it connects; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> StartExpectingFailureAsync(IReadOnlyDictionary<string, string> environment)
    {
        await using var host = new StandInFunctionsHost();
        await host.LaunchAsync(environment);
        var exit = await host.WaitForStartStreamAsync();
        Assert.True(exit is not null, "the worker started and opened the event stream:\n" + host.Log);
        return (exit.Value, host.Log);
    }

    /// <summary>One call of an HTTP-triggered function, both halves at once, as the real host makes it.</summary>
    public async Task<FunctionHttpAnswer> InvokeHttpAsync(string functionName, string route, byte[] body, IReadOnlyDictionary<string, string>? headers = null)
    {
        var function = Functions[functionName];
        var invocationId = Guid.NewGuid().ToString();
        var url = new Uri(HttpUri, "api/" + route);
        var invocation = new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            InvocationRequest = new InvocationRequest
            {
                InvocationId = invocationId,
                FunctionId = function.FunctionId,
                InputData = { new ParameterBinding { Name = "request", Data = new TypedData { Http = new RpcHttp { Method = "POST", Url = url.ToString() } } } },
                TraceContext = new RpcTraceContext { TraceParent = $"00-{Guid.NewGuid():N}-{Guid.NewGuid().ToString("N")[..16]}-01" },
            },
        };

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "UTF-8" };
        request.Headers.Add("x-ms-invocation-id", invocationId);
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        var grpcAnswer = RequestAsync(invocation);
        using var response = await _http.SendAsync(request);
        var responseBody = await response.Content.ReadAsStringAsync();
        var invocationResponse = (await grpcAnswer).InvocationResponse;
        Assert.True(invocationResponse is not null, "no InvocationResponse:\n" + Log);
        return new FunctionHttpAnswer(response.StatusCode, response.Content.Headers.ContentType?.ToString(), responseBody, invocationResponse);
    }

    public async ValueTask DisposeAsync()
    {
        if (_worker is { HasExited: false } && _toWorker is not null)
        {
            try
            {
                await WriteAsync(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) } });
                using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _worker.WaitForExitAsync(grace.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or InvalidOperationException or IOException or Grpc.Core.RpcException)
            {
                // killed below
            }
        }

        if (_worker is not null)
        {
            CliProcess.Kill(_worker);
            _worker.Dispose();
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetCanceled();
        }

        if (_grpc is not null)
        {
            await _grpc.StopAsync();
            await _grpc.DisposeAsync();
        }

        _http.Dispose();
        _writeLock.Dispose();
        try
        {
            _home.Delete(recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }

    /// <summary>The EventStream call of the worker: read until it ends; returning would end the stream.</summary>
    internal async Task AttachAsync(IAsyncStreamReader<StreamingMessage> fromWorker, IServerStreamWriter<StreamingMessage> toWorker, CancellationToken cancellationToken)
    {
        _toWorker = toWorker;
        try
        {
            while (await fromWorker.MoveNext(cancellationToken))
            {
                var message = fromWorker.Current;
                switch (message.ContentCase)
                {
                    case StreamingMessage.ContentOneofCase.StartStream:
                        _started.TrySetResult(message.StartStream);
                        break;
                    case StreamingMessage.ContentOneofCase.RpcLog:
                        if (message.RpcLog.Level >= RpcLog.Types.Level.Information)
                        {
                            Append($"{message.RpcLog.Level} {message.RpcLog.Category}: {message.RpcLog.Message} {message.RpcLog.Exception?.Message}");
                        }

                        break;
                    default:
                        if (_pending.TryRemove(message.RequestId, out var waiter))
                        {
                            waiter.TrySetResult(message);
                        }

                        break;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the worker went away or the host stopped
        }
        catch (IOException)
        {
            // the worker went away
        }
    }

    private async Task LaunchAsync(IReadOnlyDictionary<string, string> environment)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(this);
        _grpc = builder.Build();
        _grpc.MapGrpcService<EventStreamService>();
        await _grpc.StartAsync();
        var address = new Uri(_grpc.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var port = address.Port.ToString(CultureInfo.InvariantCulture);

        var appDirectory = AppDirectory;
        var workerId = Guid.NewGuid().ToString();
        var requestId = Guid.NewGuid().ToString();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = appDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // As the real host starts it. The .NET worker reads only the --functions-* switches, and the max length is
        // mandatory: without it the channel's send limit is 0 and the worker dies with ResourceExhausted on stderr.
        foreach (var arg in new[]
        {
            Path.Combine(appDirectory, "SgNotifier.Functions.dll"),
            "--host", "127.0.0.1", "--port", port, "--workerId", workerId, "--requestId", requestId,
            "--grpcMaxMessageLength", "2147483647",
            "--functions-uri", $"http://127.0.0.1:{port}/", "--functions-worker-id", workerId,
            "--functions-request-id", requestId, "--functions-grpc-max-message-length", "2147483647",
        })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(static k =>
            k.StartsWith("Sns__", StringComparison.Ordinal) || k.StartsWith("Email__", StringComparison.Ordinal) ||
            k.StartsWith("Ledger__", StringComparison.Ordinal) || k.StartsWith("Notify__", StringComparison.Ordinal) ||
            k.StartsWith("Aws__", StringComparison.Ordinal) || k.Contains("PROXY", StringComparison.OrdinalIgnoreCase) ||
            k is "ASPNETCORE_URLS" or "DOTNET_URLS" or "DOTNET_ENVIRONMENT" or "ASPNETCORE_ENVIRONMENT" or "AzureWebJobsStorage").ToList())
        {
            start.Environment.Remove(name);
        }

        // The route table reads only FUNCTIONS_APPLICATION_DIRECTORY; without it every load fails.
        start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        start.Environment["FUNCTIONS_WORKER_RUNTIME"] = "dotnet-isolated";
        start.Environment["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development";
        // AddMvc's data protection writes a key under $HOME.
        start.Environment["HOME"] = _home.FullName;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        _worker = new Process { StartInfo = start, EnableRaisingEvents = true };
        _worker.OutputDataReceived += (_, e) => Append(e.Data);
        _worker.ErrorDataReceived += (_, e) => Append(e.Data);
        Assert.True(_worker.Start());
        _worker.BeginOutputReadLine();
        _worker.BeginErrorReadLine();
    }

    /// <summary>Null once the worker opened the stream; its exit code if it exited first (it reports crashes only on stderr).</summary>
    private async Task<int?> WaitForStartStreamAsync()
    {
        var exited = _worker!.WaitForExitAsync();
        var first = await Task.WhenAny(_started.Task, exited, Task.Delay(StartTimeout));
        if (first == _started.Task)
        {
            return null;
        }

        if (first == exited)
        {
            await Task.Delay(200); // the last lines of stderr
            return _worker.ExitCode;
        }

        Assert.Fail($"the worker neither connected nor exited within {StartTimeout}:\n{Log}");
        return null;
    }

    private async Task HandshakeAsync()
    {
        var appDirectory = AppDirectory;
        var init = await RequestAsync(new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            WorkerInitRequest = new WorkerInitRequest { HostVersion = "4.0.0-stand-in", WorkerDirectory = appDirectory, FunctionAppDirectory = appDirectory },
        });
        Assert.True(init.WorkerInitResponse?.Result?.Status == StatusResult.Types.Status.Success, "WorkerInitResponse: " + init + "\n" + Log);
        WorkerCapabilities = init.WorkerInitResponse.Capabilities.ToDictionary();
        Assert.True(WorkerCapabilities.TryGetValue("HttpUri", out var httpUri), "no HttpUri capability: " + init);
        HttpUri = new Uri(httpUri);

        var metadata = await RequestAsync(new StreamingMessage
        {
            RequestId = Guid.NewGuid().ToString(),
            FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory },
        });
        Assert.True(metadata.FunctionMetadataResponse?.Result?.Status == StatusResult.Types.Status.Success, "FunctionMetadataResponse: " + metadata + "\n" + Log);
        Functions = metadata.FunctionMetadataResponse.FunctionMetadataResults.ToDictionary(static f => f.Name, StringComparer.Ordinal);

        var loads = new Dictionary<string, StatusResult>(StringComparer.Ordinal);
        foreach (var function in Functions.Values)
        {
            // The metadata goes back unchanged, unknown fields included, as the real host sends it.
            var load = await RequestAsync(new StreamingMessage
            {
                RequestId = Guid.NewGuid().ToString(),
                FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function },
            });
            Assert.True(load.FunctionLoadResponse is not null, "no FunctionLoadResponse: " + load);
            loads[function.Name] = load.FunctionLoadResponse.Result;
        }

        LoadResults = loads;
    }

    private async Task<StreamingMessage> RequestAsync(StreamingMessage request)
    {
        var answer = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[request.RequestId] = answer;
        await WriteAsync(request);
        var first = await Task.WhenAny(answer.Task, _worker!.WaitForExitAsync(), Task.Delay(StepTimeout));
        if (first != answer.Task)
        {
            _pending.TryRemove(request.RequestId, out _);
            Assert.Fail($"no answer to {request.ContentCase} ({(_worker.HasExited ? "the worker exited with code " + _worker.ExitCode : "timed out")}):\n{Log}");
        }

        return await answer.Task;
    }

    /// <summary>gRPC allows one write at a time on a stream.</summary>
    private async Task WriteAsync(StreamingMessage message)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _toWorker!.WriteAsync(message);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}

public sealed record FunctionHttpAnswer(HttpStatusCode Status, string? ContentType, string Body, InvocationResponse Invocation);

/// <summary>The gRPC service the worker connects to; the one stream is handed to the host that started it.</summary>
internal sealed class EventStreamService(StandInFunctionsHost host) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        host.AttachAsync(requestStream, responseStream, context.CancellationToken);
}
