using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using SgNotifier.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SgNotifier.Tests.Cli;

/// <summary>
/// Issue 5's burst: 1,000 distinct signed notifications, 50 at a time, over real HTTP into <c>sgnotifier serve</c>
/// (the app's composition on Kestrel) with the Table ledger on Azurite and SES on aws-ses-v2-local. Every change must
/// be mailed exactly once — none lost, none doubled. Latency is reported, not asserted (the goal lives in the benchmarks).
/// </summary>
public sealed class ServeBurstTests(ITestOutputHelper output)
{
    private const int Notifications = 1_000;
    private const int Concurrency = 50;

    [Fact]
    public async Task ThousandDistinctNotificationsAtFiftyConcurrent_MailEachChangeExactlyOnce()
    {
        var ses = await SharedEmulators.SesUrlAsync();
        using var signer = new TestSnsSigner(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificates = Directory.CreateTempSubdirectory("sgnotifier-burst-certs-");
        await File.WriteAllBytesAsync(Path.Combine(certificates.FullName, signer.CertificateName), signer.CertificatePem);
        var run = Guid.NewGuid().ToString("N")[..12];
        var owners = Enumerable.Range(0, Notifications)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"burst-{run}-{i}@example.com"))
            .ToArray();
        var bodies = owners
            .Select((owner, i) => signer.Notification(ConfigChanges.Topic, ConfigChanges.RdpOpened(owner, 5_000 + i), DateTimeOffset.UtcNow))
            .ToArray();

        try
        {
            await using var serve = await ServeProcess.StartAsync(
                ["--cert-dir", certificates.FullName],
                new Dictionary<string, string>(ServeProcess.ProductionSesEnvironment(ses))
                {
                    ["Email__Ses__AccessKeyId"] = "AKIDEXAMPLE",
                    ["Email__Ses__SecretAccessKey"] = "emulator-secret",
                    ["Ledger__Provider"] = "Table",
                    ["Ledger__ConnectionString"] = await SharedEmulators.TableConnectionStringAsync(),
                    ["Ledger__TableName"] = "burst" + run,
                    ["Logging__LogLevel__Default"] = "Warning",
                });
            using var http = new HttpClient { BaseAddress = serve.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
            var latencies = new ConcurrentBag<double>();
            var finals = new ConcurrentDictionary<int, (HttpStatusCode Status, string? Reason)>();
            var redeliveries = 0;
            var wall = Stopwatch.StartNew();

            await Parallel.ForEachAsync(Enumerable.Range(0, Notifications), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, cancellationToken) =>
            {
                // Like SNS: deliver, and deliver again after a 5xx, a bounded number of times.
                for (var attempt = 1; ; attempt++)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await http.SendAsync(Delivery(bodies[i]), cancellationToken);
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    var reason = (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))?["reason"];
                    if ((int)response.StatusCode < 500 || attempt == 20)
                    {
                        finals[i] = (response.StatusCode, reason);
                        return;
                    }

                    Interlocked.Increment(ref redeliveries);
                    await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                }
            });
            wall.Stop();

            var sorted = latencies.Order().ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Notifications} notifications, {Concurrency} concurrent, over HTTP into sgnotifier serve (Table ledger on Azurite, SES emulator): " +
                $"{wall.Elapsed.TotalSeconds:F1} s, {Notifications / wall.Elapsed.TotalSeconds:F0}/s; " +
                $"latency p50 {Percentile(sorted, 0.50):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms; {redeliveries} redeliveries after 5xx"));

            var failures = finals.Where(static f => f.Value is not (HttpStatusCode.OK, "sent")).Take(5).ToList();
            Assert.True(failures.Count == 0 && finals.Count == Notifications,
                $"{finals.Count} answered; not sent: {string.Join(", ", failures.Select(static f => $"#{f.Key} {(int)f.Value.Status} {f.Value.Reason}"))}\n{serve.Output}");

            var mails = await SesStore.MailsPerRecipientAsync(ses);
            var ours = mails.Where(m => m.Key.StartsWith($"burst-{run}-", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.Equal(Notifications, ours.Count);                 // none lost
            Assert.All(ours, static m => Assert.Equal(1, m.Value));  // none doubled
            Assert.Equal(owners.Order(StringComparer.OrdinalIgnoreCase), ours.Select(static m => m.Key).Order(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);

            // SNS delivering the whole burst again changes nothing.
            var replay = await Task.WhenAll(bodies.Take(Concurrency).Select(async body =>
            {
                using var response = await http.SendAsync(Delivery(body));
                return (response.StatusCode, (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())?["reason"]);
            }));
            Assert.All(replay, static r => Assert.Equal((HttpStatusCode.OK, "duplicate"), r));
            Assert.Equal(Notifications, (await SesStore.MailsPerRecipientAsync(ses)).Count(m => m.Key.StartsWith($"burst-{run}-", StringComparison.OrdinalIgnoreCase) && m.Value == 1));
        }
        finally
        {
            certificates.Delete(recursive: true);
        }
    }

    private static HttpRequestMessage Delivery(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/sns", UriKind.Relative))
        {
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/plain") { CharSet = Encoding.UTF8.WebName };
        request.Headers.Add("x-amz-sns-message-type", "Notification");
        request.Headers.Add("x-amz-sns-topic-arn", ConfigChanges.Topic);
        return request;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
