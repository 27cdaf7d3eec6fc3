using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SgNotifier.Core;
using SgNotifier.Core.Sns;
using SgNotifier.Core.Sources.Config;
using SgNotifier.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SgNotifier.Tests.Fuzz;

/// <summary>
/// The mutation fuzz of issue 12: no byte sequence earns a 500. Every real payload the tests hold is mutated (byte
/// flips, truncation, invalid UTF-8 and overlong forms, NUL, lone-surrogate escapes, duplicated and case-variant keys,
/// deep nesting, huge and non-finite numbers, type swaps) in the outer SNS body and in the inner Config message
/// (re-embedded as a properly escaped <c>Message</c> string, and signed by the test signer so that the signed path
/// reaches the Config parser too). First a sweep swaps the value at every JSON path of every seed once, then random
/// mutations fill the run. Each input goes through the parsers directly and through <c>SnsDeliveryHandler</c>.
/// <para>
/// Property: a result whose status is 200, 400, 403, 413 or 503; no exception; each input answered within
/// <see cref="PerInputBudget"/>. The seed is fixed (a failure reproduces) and printed; <c>SGNOTIFIER_FUZZ_SEED</c>
/// changes it and <c>SGNOTIFIER_FUZZ_CASES</c> runs a longer soak. A failing input is written to a file named in
/// the failure message.
/// </para>
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class DeliveryFuzzTests(ITestOutputHelper output)
{
    public const int DefaultSeed = 20_261_130;
    public const int DefaultCases = 100_000;

    private static readonly TimeSpan PerInputBudget = TimeSpan.FromSeconds(10);
    private static readonly int[] AllowedStatuses = [200, 400, 403, 413, 503];

    private enum CaseKind
    {
        /// <summary>A mutated SNS body into the Development host (signatures off).</summary>
        Outer,

        /// <summary>A mutated test-signed SNS body into the Production host (signatures on).</summary>
        OuterSigned,

        /// <summary>A mutated Config message, embedded in an unsigned envelope, into the Development host.</summary>
        Inner,

        /// <summary>A mutated Config message, embedded and signed, into the Production host.</summary>
        InnerSigned,
    }

    [Fact]
    public async Task MutatedDeliveries_AreAnsweredWithAStatus_NeverAnExceptionOrAHang()
    {
        var seed = EnvironmentInt("SGNOTIFIER_FUZZ_SEED") ?? DefaultSeed;
        var cases = EnvironmentInt("SGNOTIFIER_FUZZ_CASES") ?? DefaultCases;
        var partitions = Math.Clamp(Environment.ProcessorCount, 2, 8);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz seed {seed} (SGNOTIFIER_FUZZ_SEED), {cases} cases (SGNOTIFIER_FUZZ_CASES), {partitions} partitions"));

        using var run = new FuzzRun(seed, partitions);
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, partitions).Select(p => Task.Run(() => run.RunPartitionAsync(p, cases))).ToArray();
        var all = Task.WhenAll(workers);
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(250));
            if (run.Hung() is { } hung)
            {
                Assert.Fail($"case {hung.Case} (seed {seed}) ran longer than {PerInputBudget}: {hung.Description}; input in {run.Save(hung.Case, hung.Input)}");
            }
        }

        await all;
        wall.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz: {run.Completed} cases, seed {seed}, {wall.Elapsed.TotalSeconds:F1} s ({cpu.TotalSeconds:F1} s CPU); statuses {run.Statuses()}; " +
            $"{run.Sweep} path sweeps; kinds {run.Kinds()}; {run.Mails} mails"));
        foreach (var line in run.Distribution())
        {
            output.WriteLine("  " + line);
        }

        var failures = run.Failures.Take(10).ToList();
        Assert.True(failures.Count == 0, string.Join("\n", failures.Select(f =>
            $"case {f.Case} (seed {seed}, {f.Kind}, {f.Description}) via {f.Stage}: {f.Problem}; input in {run.Save(f.Case, f.Input)}")));
        Assert.Equal(cases, run.Completed);
    }

    private static int? EnvironmentInt(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    /// <summary>One run: the seeds, one pair of hosts per partition, and what the cases found.</summary>
    private sealed class FuzzRun : IDisposable
    {
        private readonly int _seed;
        private readonly FuzzSeeds _seeds = FuzzSeeds.Load();
        private readonly TestSnsSigner _signer = new(FuzzSeeds.SignedAt.AddDays(-1), FuzzSeeds.SignedAt.AddDays(30), keySize: 1024);
        private readonly Lock _signing = new();
        private readonly DirectoryInfo _outbox = Directory.CreateTempSubdirectory("sgnotifier-fuzz-outbox-");
        private readonly FuzzHost[] _development;
        private readonly FuzzHost[] _signed;
        private readonly (int Case, long Started, string Description, byte[] Input)[] _running;
        private readonly List<byte[]> _outerSeeds;
        private readonly List<byte[]> _signedOuterSeeds;
        private readonly List<(CaseKind Kind, int Seed, JsonSkeleton.Span Value)> _sweep = [];
        private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<int, int> _statuses = new();
        private readonly ConcurrentDictionary<CaseKind, int> _kinds = new();
        private int _completed;

        public FuzzRun(int seed, int partitions)
        {
            _seed = seed;
            _development = [.. Enumerable.Range(0, partitions).Select(p => FuzzHost.Development(Path.Combine(_outbox.FullName, p.ToString(CultureInfo.InvariantCulture))))];
            _signed = [.. Enumerable.Range(0, partitions).Select(_ => FuzzHost.Signed(_signer))];
            _running = new (int, long, string, byte[])[partitions];

            // Outer seeds: AWS's own bodies, and each inner message in an unsigned (or a signed) envelope.
            _outerSeeds = [.. _seeds.SnsBodies.Select(static s => s.Bytes), .. _seeds.ConfigMessages.Select((m, i) => FuzzSeeds.UnsignedEnvelope(Encoding.UTF8.GetString(m.Bytes), -1 - i, relaxedEscaping: i % 2 == 0))];
            _signedOuterSeeds = [.. _seeds.SnsBodies.Select(static s => s.Bytes), .. _seeds.ConfigMessages.Select((m, i) => Sign(Encoding.UTF8.GetString(m.Bytes), -1 - i))];

            // The sweep: every value of every seed, outer and inner, swapped once.
            for (var i = 0; i < _outerSeeds.Count; i++)
            {
                foreach (var value in JsonSkeleton.TryScan(_outerSeeds[i])?.Values ?? [])
                {
                    _sweep.Add((CaseKind.Outer, i, value));
                }
            }

            for (var i = 0; i < _seeds.ConfigMessages.Count; i++)
            {
                foreach (var value in JsonSkeleton.TryScan(_seeds.ConfigMessages[i].Bytes)?.Values ?? [])
                {
                    _sweep.Add((CaseKind.Inner, i, value));
                }
            }
        }

        public ConcurrentQueue<Failure> Failures { get; } = new();

        public int Completed => Volatile.Read(ref _completed);

        public int Sweep => _sweep.Count;

        public int Mails => _signed.Sum(static h => h.MemorySender!.Sent) + Directory.EnumerateFiles(_outbox.FullName, "*", SearchOption.AllDirectories).Count();

        public async Task RunPartitionAsync(int partition, int cases)
        {
            for (var index = partition; index < cases; index += _running.Length)
            {
                var random = new Random(unchecked((_seed * 1_000_003) + index));
                CaseKind kind;
                byte[] input;
                string description;
                try
                {
                    (kind, input, description) = Generate(index, random);
                }
                catch (Exception exception)
                {
                    // A bug of the fuzz itself, reported like a finding so that the case number is known.
                    Failures.Enqueue(new Failure(index, CaseKind.Outer, "generating the input", "mutator", exception.ToString(), []));
                    Interlocked.Increment(ref _completed);
                    continue;
                }

                _running[partition] = (index, Stopwatch.GetTimestamp(), description, input);
                await RunCaseAsync(partition, index, kind, input, description, random);
                _kinds.AddOrUpdate(kind, 1, static (_, n) => n + 1);
                Interlocked.Increment(ref _completed);
            }

            _running[partition] = default;
        }

        /// <summary>A partition whose current case has run past the budget (a hang, even in synchronous code).</summary>
        public (int Case, string Description, byte[] Input)? Hung()
        {
            foreach (var running in _running)
            {
                if (running.Input is not null && Stopwatch.GetElapsedTime(running.Started) > PerInputBudget + PerInputBudget)
                {
                    return (running.Case, running.Description, running.Input);
                }
            }

            return null;
        }

        public string Statuses() => string.Join(", ", _statuses.OrderBy(static s => s.Key).Select(static s => $"{s.Key}: {s.Value}"));

        public string Kinds() => string.Join(", ", _kinds.OrderBy(static k => k.Key).Select(static k => $"{k.Key}: {k.Value}"));

        public IEnumerable<string> Distribution() =>
            _outcomes.OrderByDescending(static o => o.Value).ThenBy(static o => o.Key, StringComparer.Ordinal).Select(static o => $"{o.Value,7} {o.Key}");

        public string Save(int index, byte[] input)
        {
            var path = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"sgnotifier-fuzz-{_seed}-{index}.bin"));
            File.WriteAllBytes(path, input);
            return path;
        }

        public void Dispose()
        {
            foreach (var host in _development.Concat(_signed))
            {
                host.Dispose();
            }

            _signer.Dispose();
            try
            {
                _outbox.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A partition still writing after a failed run: the temp folder is left behind, the failure reported.
            }
        }

        private (CaseKind Kind, byte[] Input, string Description) Generate(int index, Random random)
        {
            if (index < _sweep.Count)
            {
                var (kind, seedIndex, value) = _sweep[index];
                var replacement = JsonMutator.Replacements[random.Next(JsonMutator.Replacements.Length)];
                var source = kind == CaseKind.Outer ? _outerSeeds[seedIndex] : _seeds.ConfigMessages[seedIndex].Bytes;
                var name = kind == CaseKind.Outer ? $"outer seed {seedIndex}" : _seeds.ConfigMessages[seedIndex].Name;
                return (kind, JsonMutator.ReplaceValue(source, value, replacement), $"{name}: sweep type-swap@{value.Start}:{replacement}");
            }

            var roll = random.Next(100);
            var caseKind = roll switch
            {
                < 35 => CaseKind.Outer,
                < 45 => CaseKind.OuterSigned,
                < 90 => CaseKind.Inner,
                _ => CaseKind.InnerSigned,
            };
            string seedName;
            byte[] seedBytes;
            switch (caseKind)
            {
                case CaseKind.Outer:
                    var outer = random.Next(_outerSeeds.Count);
                    (seedName, seedBytes) = ($"outer seed {outer}", _outerSeeds[outer]);
                    break;
                case CaseKind.OuterSigned:
                    var signed = random.Next(_signedOuterSeeds.Count);
                    (seedName, seedBytes) = ($"signed seed {signed}", _signedOuterSeeds[signed]);
                    break;
                default:
                    var inner = _seeds.ConfigMessages[random.Next(_seeds.ConfigMessages.Count)];
                    (seedName, seedBytes) = (inner.Name, inner.Bytes);
                    break;
            }

            var mutated = JsonMutator.Mutate(seedBytes, random, out var mutation);
            return (caseKind, mutated, seedName + ": " + mutation);
        }

        private async Task RunCaseAsync(int partition, int index, CaseKind kind, byte[] input, string description, Random random)
        {
            string stage = "parsers";
            try
            {
                byte[] body;
                FuzzHost host;
                if (kind is CaseKind.Outer or CaseKind.OuterSigned)
                {
                    _ = SnsMessageParser.Parse(input, SnsRequestHeaders.None, requireSignature: true);
                    _ = SnsMessageParser.Parse(input, SnsRequestHeaders.None, requireSignature: false);
                    body = input;
                    host = kind == CaseKind.Outer ? _development[partition] : _signed[partition];
                }
                else
                {
                    // The inner parsers directly: bytes as an S3 object would arrive, text as the SNS Message would.
                    var text = Encoding.UTF8.GetString(input);
                    _ = ConfigMessageParser.Parse(input);
                    _ = ConfigMessageParser.Parse(text);
                    if (kind == CaseKind.Inner)
                    {
                        // Mostly a properly escaped Message string; sometimes the raw bytes, invalid UTF-8 and all.
                        body = random.Next(10) == 0 ? RawEnvelope(input, index) : FuzzSeeds.UnsignedEnvelope(text, index, relaxedEscaping: random.Next(2) == 0);
                        host = _development[partition];
                    }
                    else
                    {
                        body = Sign(text, index);
                        host = _signed[partition];
                    }
                }

                stage = "HandleAsync";
                var headers = Headers(body, random);
                var result = await host.Handler.HandleAsync(new MemoryStream(body), headers, CancellationToken.None).WaitAsync(PerInputBudget);
                Record(kind, result, index, input, description, stage);

                if (random.Next(20) == 0)
                {
                    // preview of the same input as a file: the SNS body, or the bare Config message.
                    stage = "PreviewAsync";
                    var preview = await host.Handler.PreviewAsync(new MemoryStream(random.Next(2) == 0 ? body : input), CancellationToken.None).WaitAsync(PerInputBudget);
                    _ = DeliveryReport.ToJson(preview);
                    _ = DeliveryReport.ToText(preview);
                    if (!AllowedStatuses.Contains(preview.HttpStatus))
                    {
                        Failures.Enqueue(new Failure(index, kind, description, stage, "status " + preview.HttpStatus, input));
                    }
                }
            }
            catch (Exception exception)
            {
                Failures.Enqueue(new Failure(index, kind, description, stage, exception.GetType().Name + ": " + exception.Message + "\n" + exception.StackTrace, input));
            }
        }

        private void Record(CaseKind kind, DeliveryResult result, int index, byte[] input, string description, string stage)
        {
            _ = result.ToResponseBody();
            var status = result.HttpStatus;
            _statuses.AddOrUpdate(status, 1, static (_, n) => n + 1);
            _outcomes.AddOrUpdate(string.Create(CultureInfo.InvariantCulture, $"{status} {result.OutcomeName}/{result.Reason} ({kind})"), 1, static (_, n) => n + 1);
            if (!AllowedStatuses.Contains(status))
            {
                Failures.Enqueue(new Failure(index, kind, description, stage, $"status {status} {result.Reason}: {result.Detail}", input));
            }
        }

        /// <summary>Mostly no headers (as in most tests); sometimes SNS's, agreeing or not, or a Content-Length.</summary>
        private static SnsRequestHeaders Headers(byte[] body, Random random) => random.Next(50) switch
        {
            < 5 => new SnsRequestHeaders("Notification", null, FuzzSeeds.Topic, null, body.Length),
            5 => new SnsRequestHeaders(random.Next(2) == 0 ? "SubscriptionConfirmation" : "Notificatio\u00f1", "x", "arn:aws:sns:us-east-1:1:t", random.Next(2) == 0 ? "true" : "false", null),
            6 => new SnsRequestHeaders(null, null, null, null, random.Next(3) switch
            {
                0 => 1L << 40,
                1 => 0,
                _ => body.Length + 1,
            }),
            _ => SnsRequestHeaders.None,
        };

        private byte[] Sign(string message, int index)
        {
            lock (_signing)
            {
                return _signer.Notification(FuzzSeeds.Topic, message, FuzzSeeds.SignedAt, messageId: FuzzSeeds.MessageId(index));
            }
        }

        /// <summary>The inner bytes placed in the Message string unescaped but for quotes, backslashes and controls.</summary>
        private static byte[] RawEnvelope(byte[] inner, int index)
        {
            var escaped = new List<byte>(inner.Length + 64);
            foreach (var b in inner)
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    escaped.Add((byte)'\\');
                    escaped.Add(b);
                }
                else if (b < 0x20)
                {
                    escaped.AddRange(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"\\u{b:x4}")));
                }
                else
                {
                    escaped.Add(b);
                }
            }

            var template = Encoding.UTF8.GetString(FuzzSeeds.UnsignedEnvelope("\u0001", index, relaxedEscaping: true));
            var at = template.IndexOf("\\u0001", StringComparison.Ordinal);
            return [.. Encoding.UTF8.GetBytes(template[..at]), .. escaped, .. Encoding.UTF8.GetBytes(template[(at + 6)..])];
        }
    }

    private sealed record Failure(int Case, CaseKind Kind, string Description, string Stage, string Problem, byte[] Input);
}
