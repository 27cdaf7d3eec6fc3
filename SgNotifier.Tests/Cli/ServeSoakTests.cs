using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SgNotifier.Tests.Fuzz;
using SgNotifier.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// Issue 12 over real HTTP: mutated deliveries into <c>sgnotifier serve</c> (Development, signatures off, as the held-out
/// soak runs it), odd HTTP framing that Kestrel and the body reader must answer without a 500, and serve's log volume:
/// one line per request at Information.
/// </summary>
public sealed partial class ServeSoakTests(ServeSoakTests.DevelopmentServe serve, ITestOutputHelper output) : IClassFixture<ServeSoakTests.DevelopmentServe>
{
    private const int DefaultPosts = 2_000;
    private static readonly TimeSpan AnswerBudget = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task MutatedDeliveries_AreAllAnsweredBelow500WithinFiveSeconds_AndServeStaysUp()
    {
        var posts = int.TryParse(Environment.GetEnvironmentVariable("SGNOTIFIER_SERVE_SOAK_POSTS"), CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultPosts;
        var seeds = FuzzSeeds.Load();
        using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var slowest = 0.0;
        var wall = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, posts), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, cancellationToken) =>
        {
            var random = new Random(DeliveryFuzzTests.DefaultSeed + i);
            var (body, description) = MutatedDelivery(seeds, random, i);
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/sns", UriKind.Relative)) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = "UTF-8" };
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(AnswerBudget);
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.SendAsync(request, budget.Token);
                _ = await response.Content.ReadAsByteArrayAsync(budget.Token);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, static (_, c) => c + 1);
                if (status >= 500)
                {
                    failures.Enqueue($"post {i} ({description}): {status}");
                }
            }
            catch (OperationCanceledException)
            {
                failures.Enqueue($"post {i} ({description}): no answer within {AnswerBudget}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            InterlockedMax(ref slowest, elapsed);
        });
        wall.Stop();

        var answered = string.Join(", ", statuses.OrderBy(static s => s.Key).Select(static s => $"{s.Key}: {s.Value}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"serve soak: {posts} mutated deliveries, 8 concurrent, {wall.Elapsed.TotalSeconds:F1} s, slowest {slowest:F0} ms; statuses {answered}"));
        Assert.True(failures.IsEmpty, string.Join("\n", failures.Take(10)));
        using var alive = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        AssertNoUnexpectedFailure(serve.Output);
    }

    /// <summary>Framing only a raw socket can send. Each must be answered, below 500, within the budget.</summary>
    [Theory]
    [InlineData("content-length-longer-than-the-body", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"Type\":\"Notification\"}", Client.Stalls)]
    [InlineData("client-leaves-mid-body", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{\"Type\":\"Notification\"}", Client.Leaves)]
    [InlineData("content-length-not-a-number", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}", Client.Waits)]
    [InlineData("content-length-negative", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}", Client.Waits)]
    [InlineData("two-content-lengths", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", Client.Waits)]
    [InlineData("content-length-huge", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999\r\n\r\n{}", Client.Waits)]
    [InlineData("chunked-bad-size", "POST /api/sns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", Client.Waits)]
    [InlineData("chunked-cut-short", "POST /api/sns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"Type\"", Client.Stalls)]
    [InlineData("chunked-valid", "POST /api/sns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", Client.Waits)]
    [InlineData("chunked-and-content-length", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", Client.Waits)]
    [InlineData("transfer-encoding-gzip", "POST /api/sns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n{}", Client.Waits)]
    [InlineData("transfer-encoding-unknown-then-chunked", "POST /api/sns HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", Client.Waits)]
    [InlineData("content-encoding-gzip", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}", Client.Waits)]
    [InlineData("form-content-type", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\na=1&b=2", Client.Waits)]
    [InlineData("multipart-content-type", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 2\r\n\r\n{}", Client.Waits)]
    [InlineData("bad-content-type", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Type: \u00ff/\u00ff; charset=\"\r\nContent-Length: 2\r\n\r\n{}", Client.Waits)]
    [InlineData("expect-100-continue", "POST /api/sns HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}", Client.Waits)]
    [InlineData("http-1.0-until-close", "POST /api/sns HTTP/1.0\r\n\r\n{\"Type\":1}", Client.Waits)]
    [InlineData("no-body", "POST /api/sns HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", Client.Waits)]
    [InlineData("get", "GET /api/sns HTTP/1.1\r\nHost: x\r\n\r\n", Client.Waits)]
    [InlineData("non-ascii-sns-header", "POST /api/sns HTTP/1.1\r\nHost: x\r\nx-amz-sns-message-type: Noti\u00ffication\r\nContent-Length: 2\r\n\r\n{}", Client.Waits)]
    [InlineData("header-without-colon", "POST /api/sns HTTP/1.1\r\nHost: x\r\nbroken\r\nContent-Length: 2\r\n\r\n{}", Client.Waits)]
    [InlineData("garbage-request-line", "\u00ff\u00fe GARBAGE\r\n\r\n", Client.Waits)]
    public async Task OddHttpFraming_IsAnsweredBelow500(string name, string request, Client client)
    {
        var status = await RawRequestAsync(serve.BaseUri, Encoding.Latin1.GetBytes(request), client);

        output.WriteLine($"{name}: {status}");
        Assert.True(client == Client.Leaves || status is > 0 and < 500, $"{name}: status {status}\n{Tail(serve.Output)}");
        using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = AnswerBudget };
        using var alive = await http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        AssertNoUnexpectedFailure(serve.Output);
    }

    [Fact]
    public async Task BodyLargerThanTheLimitSentChunked_Is413()
    {
        using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = AnswerBudget * 2 };
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"Message\":\"" + new string('a', 2 * 1024 * 1024) + "\"}")));
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/sns", UriKind.Relative)) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    /// <summary>
    /// Issue 12: ASP.NET Core writes about six Information lines per request and each pipeline stage one more; serve
    /// keeps one (the delivery's outcome), whatever the outcome.
    /// </summary>
    [Fact]
    public async Task Serve_LogsOneLinePerRequest_AndNoAspNetCoreRequestLines()
    {
        var outbox = Directory.CreateTempSubdirectory("sgnotifier-log-outbox-");
        try
        {
            await using var own = await DevelopmentServe.StartAsync(outbox, quiet: false);
            using var http = new HttpClient { BaseAddress = own.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
            var before = LogEntries(own.Output).Count;
            var sample = await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "samples", "rdp-opened.json"));
            string[] bodies =
            [
                .. Enumerable.Range(0, 5).Select(i => Encoding.UTF8.GetString(FuzzSeeds.UnsignedEnvelope(ConfigChanges.RdpOpened($"log-{i}@example.com", 900 + i), 900 + i, relaxedEscaping: false))), // notify, sent
                Encoding.UTF8.GetString(FuzzSeeds.UnsignedEnvelope(sample, 1, relaxedEscaping: true)),
                Encoding.UTF8.GetString(FuzzSeeds.UnsignedEnvelope(sample, 1, relaxedEscaping: true)), // duplicate
                Encoding.UTF8.GetString(FuzzSeeds.UnsignedEnvelope("{\"Records\":[]}", 2, relaxedEscaping: false)), // ignored
                Encoding.UTF8.GetString(FuzzSeeds.UnsignedEnvelope("{\"messageType\":\"ConfigurationItemChangeNotification\"}", 3, relaxedEscaping: false)), // malformed-config
                "not json", // malformed
            ];
            foreach (var body in bodies)
            {
                using var response = await http.PostAsync(new Uri("/api/sns", UriKind.Relative), new StringContent(body, Encoding.UTF8, "text/plain"));
                Assert.True((int)response.StatusCode < 500);
            }

            // The console logger writes from a queue: wait for the last outcome line.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (LogEntries(own.Output).Count(static e => e.Category == "SgNotifier.Core.SnsDeliveryHandler") < bodies.Length && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await Task.Delay(500);
            var entries = LogEntries(own.Output).Skip(before).ToList();
            var summary = string.Join("\n", entries.Select(static e => $"{e.Level}: {e.Category}"));
            output.WriteLine(summary);
            Assert.Equal(bodies.Length, entries.Count(static e => e.Category == "SgNotifier.Core.SnsDeliveryHandler"));
            Assert.DoesNotContain(entries, static e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
            Assert.True(entries.Count(static e => e.Level == "info") <= bodies.Length, summary);

            // Every line is one entry: no two-line "info: Category[Id]\n      message" blocks.
            Assert.DoesNotContain(own.Output.Split('\n'), static line => line.StartsWith("      ", StringComparison.Ordinal));
        }
        finally
        {
            outbox.Delete(recursive: true);
        }
    }

    /// <summary>The Development serve the held-out soak runs: signatures off, the samples' topic allowed, the outbox sender.</summary>
    public sealed class DevelopmentServe : IAsyncLifetime
    {
        private readonly DirectoryInfo _outbox = Directory.CreateTempSubdirectory("sgnotifier-soak-outbox-");
        private ServeProcess? _serve;

        public Uri BaseUri => _serve!.BaseUri;

        public string Output => _serve!.Output;

        public static Task<ServeProcess> StartAsync(DirectoryInfo outbox, bool quiet)
        {
            var environment = new Dictionary<string, string>
            {
                ["DOTNET_ENVIRONMENT"] = "Development",
                ["Sns__VerifySignatures"] = "false",
                ["Sns__AllowedTopicArns__0"] = FuzzSeeds.Topic,
                ["Notify__FallbackRecipients__0"] = "secops@example.com",
                ["Email__Outbox__Directory"] = outbox.FullName,
            };
            if (quiet)
            {
                // The soak's thousands of outcome and warning lines are not what it checks; errors and failures stay.
                environment["Logging__LogLevel__SgNotifier"] = "Error";
                environment["Logging__LogLevel__SgNotifier.Core.SnsDeliveryHandler"] = "Error";
            }

            return ServeProcess.StartAsync([], environment);
        }

        public async Task InitializeAsync() => _serve = await StartAsync(_outbox, quiet: true);

        public async Task DisposeAsync()
        {
            if (_serve is not null)
            {
                await _serve.DisposeAsync();
            }

            _outbox.Delete(recursive: true);
        }
    }

    /// <summary>A delivery as the held-out soak makes them: a genuine or sample-based body, mutated outside or inside.</summary>
    private static (byte[] Body, string Description) MutatedDelivery(FuzzSeeds seeds, Random random, int index)
    {
        if (random.Next(2) == 0)
        {
            var message = seeds.ConfigMessages[random.Next(seeds.ConfigMessages.Count)];
            var inner = JsonMutator.Mutate(message.Bytes, random, out var mutation);
            return (FuzzSeeds.UnsignedEnvelope(Encoding.UTF8.GetString(inner), index, relaxedEscaping: random.Next(2) == 0), $"{message.Name} inner {mutation}");
        }

        var outer = random.Next(3) == 0
            ? seeds.SnsBodies[random.Next(seeds.SnsBodies.Count)].Bytes
            : FuzzSeeds.UnsignedEnvelope(Encoding.UTF8.GetString(seeds.ConfigMessages[random.Next(seeds.ConfigMessages.Count)].Bytes), index, relaxedEscaping: true);
        return (JsonMutator.Mutate(outer, random, out var outerMutation), "outer " + outerMutation);
    }

    /// <summary>What the raw client does after sending its bytes.</summary>
    public enum Client
    {
        /// <summary>Waits for the answer, which must come within the budget.</summary>
        Waits,

        /// <summary>Sends less body than announced and waits: Kestrel gives up on the body after its 5 s grace period.</summary>
        Stalls,

        /// <summary>Closes its side: there is nobody to answer, but serve must neither fail nor fall over.</summary>
        Leaves,
    }

    /// <summary>Sends raw bytes and returns the status of the first response (0 when none came within the budget).</summary>
    private static async Task<int> RawRequestAsync(Uri baseUri, byte[] request, Client behaviour)
    {
        using var client = new TcpClient();
        using var budget = new CancellationTokenSource(behaviour == Client.Stalls ? AnswerBudget * 3 : AnswerBudget);
        await client.ConnectAsync(baseUri.Host, baseUri.Port, budget.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(request, budget.Token);
        if (behaviour == Client.Leaves)
        {
            client.Client.Shutdown(SocketShutdown.Send);
        }

        var response = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (!response.Contains((byte)'\n'))
            {
                var read = await stream.ReadAsync(buffer, budget.Token);
                if (read == 0)
                {
                    break;
                }

                response.AddRange(buffer.AsSpan(0, read).ToArray());
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException)
        {
            return 0;
        }

        // "HTTP/1.1 400 Bad Request"
        var line = Encoding.ASCII.GetString([.. response]).Split('\n')[0];
        var parts = line.Split(' ');
        return parts.Length > 1 && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var status) ? status : 0;
    }

    /// <summary>Neither serve's catch-all (a 500) nor Kestrel's (an exception escaping the endpoint) was reached.</summary>
    private static void AssertNoUnexpectedFailure(string output)
    {
        Assert.DoesNotContain("Unexpected failure", output, StringComparison.Ordinal);
        Assert.DoesNotContain("unhandled exception", output, StringComparison.OrdinalIgnoreCase);
    }

    private static List<(string Level, string Category)> LogEntries(string output) =>
        [.. EntryPattern().Matches(output).Select(static m => (m.Groups["level"].Value, m.Groups["category"].Value))];

    private static string Tail(string text) => text.Length > 4_000 ? text[^4_000..] : text;

    private static void InterlockedMax(ref double target, double value)
    {
        double current;
        while (value > (current = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    [GeneratedRegex(@"(?<level>info|warn|fail|crit|dbug|trce): (?<category>[\w.]+)\[\d+\]")]
    private static partial Regex EntryPattern();
}
