using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Fuzz;

/// <summary>
/// Every real payload the tests hold, as fuzz seeds: the AWS-signed SNS bodies (TestData/Sns/genuine and, when present,
/// /work/shared/testdata/sns/genuine), every Config message of TestData/Config (item changes, oversized notifications
/// and the S3 objects behind them, EventBridge events, the odd ones), the samples, the Config messages inside the
/// genuine SNS bodies, and each Config message once more wrapped the way EventBridge delivers it.
/// </summary>
internal sealed class FuzzSeeds
{
    /// <summary>The topic every unsigned and test-signed envelope is sent from (allowed by both fuzz hosts).</summary>
    public const string Topic = ConfigChanges.Topic;

    /// <summary>The time test-signed envelopes carry, and the signed host's clock.</summary>
    public static readonly DateTimeOffset SignedAt = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private FuzzSeeds(IReadOnlyList<Seed> snsBodies, IReadOnlyList<Seed> configMessages)
    {
        SnsBodies = snsBodies;
        ConfigMessages = configMessages;
    }

    /// <summary>AWS-signed SNS bodies, bytes exactly as AWS sent them.</summary>
    public IReadOnlyList<Seed> SnsBodies { get; }

    /// <summary>Inner messages (the SNS <c>Message</c> text, or an S3 object), bytes as stored.</summary>
    public IReadOnlyList<Seed> ConfigMessages { get; }

    public static FuzzSeeds Load()
    {
        var sns = new List<Seed>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in new[] { RepositoryPaths.TestData("Sns", "genuine"), "/work/shared/testdata/sns/genuine" })
        {
            foreach (var file in Files(folder, "*.json"))
            {
                AddOnce(sns, seen, "sns/" + Path.GetFileName(file), File.ReadAllBytes(file));
            }
        }

        var config = new List<Seed>();
        foreach (var file in Files(RepositoryPaths.TestData("Config"), "*", recursive: true))
        {
            if (!file.EndsWith(".expected.json", StringComparison.Ordinal) && !file.EndsWith(".xml", StringComparison.Ordinal))
            {
                AddOnce(config, seen, "config/" + Path.GetRelativePath(RepositoryPaths.TestData("Config"), file), File.ReadAllBytes(file));
            }
        }

        foreach (var file in Files(Path.Combine(RepositoryPaths.Root, "samples"), "*.json"))
        {
            if (!string.Equals(Path.GetFileName(file), "settings.json", StringComparison.Ordinal))
            {
                AddOnce(config, seen, "samples/" + Path.GetFileName(file), File.ReadAllBytes(file));
            }
        }

        foreach (var body in sns.ToList())
        {
            using var document = JsonDocument.Parse(body.Bytes);
            if (document.RootElement.TryGetProperty("Message", out var message) && message.GetString() is { Length: > 0 } text)
            {
                AddOnce(config, seen, body.Name + "#Message", Encoding.UTF8.GetBytes(text));
            }
        }

        foreach (var message in config.ToList())
        {
            if (EventBridgeWrapped(message.Bytes) is { } wrapped)
            {
                AddOnce(config, seen, message.Name + "@eventbridge", wrapped);
            }
        }

        return new FuzzSeeds(sns, config);
    }

    /// <summary>An unsigned SNS notification (signatures off, Development) carrying <paramref name="message"/>.</summary>
    public static byte[] UnsignedEnvelope(string message, int caseNumber, bool relaxedEscaping)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Encoder = relaxedEscaping ? JavaScriptEncoder.UnsafeRelaxedJsonEscaping : JavaScriptEncoder.Default,
        }))
        {
            writer.WriteStartObject();
            writer.WriteString("Type", "Notification");
            writer.WriteString("MessageId", MessageId(caseNumber));
            writer.WriteString("TopicArn", Topic);
            writer.WriteString("Message", message);
            writer.WriteString("Timestamp", SignedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>A stable, distinct MessageId per case, so the ledger treats each case as a new delivery.</summary>
    public static string MessageId(int caseNumber) =>
        string.Create(CultureInfo.InvariantCulture, $"00000000-0000-4000-8000-{caseNumber:D12}");

    /// <summary>A Config message in EventBridge's envelope, its bytes embedded unchanged as <c>detail</c>.</summary>
    private static byte[]? EventBridgeWrapped(byte[] message)
    {
        try
        {
            using var document = JsonDocument.Parse(message);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("messageType", out _))
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return
        [
            .. """{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"Config Configuration Item Change","source":"aws.config","account":"123456789012","time":"2026-01-15T11:59:58Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b2c3d4e5f67890"],"detail":"""u8,
            .. message,
            .. "}"u8,
        ];
    }

    private static IEnumerable<string> Files(string folder, string pattern, bool recursive = false) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, pattern, recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal)
            : [];

    private static void AddOnce(List<Seed> seeds, HashSet<string> seen, string name, byte[] bytes)
    {
        if (seen.Add(Convert.ToHexString(SHA256.HashData(bytes))))
        {
            seeds.Add(new Seed(name, bytes));
        }
    }

    public sealed record Seed(string Name, byte[] Bytes);
}
