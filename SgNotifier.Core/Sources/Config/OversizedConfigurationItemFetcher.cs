using System.IO.Compression;
using Amazon.Runtime;
using Amazon.S3.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SgNotifier.Core.Aws;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// Reads the full notification of an <c>OversizedConfigurationItemChangeNotification</c> from the Config delivery
/// bucket (<c>s3BucketLocation</c> = <c>bucket/key</c>, a gzipped JSON object).
/// </summary>
public sealed class OversizedConfigurationItemFetcher : IDisposable
{
    private readonly AwsOptions options;
    private readonly AwsClients clients;
    private readonly bool ownsClients;

    public OversizedConfigurationItemFetcher(IOptions<AwsOptions> options, AwsClients clients)
    {
        this.options = options?.Value ?? throw new ArgumentNullException(nameof(options));
        this.clients = clients ?? throw new ArgumentNullException(nameof(clients));
    }

    /// <param name="credentials">Null for the SDK's default credential chain.</param>
    internal OversizedConfigurationItemFetcher(AwsOptions options, AWSCredentials? credentials)
    {
        this.options = options;
        clients = new AwsClients(Options.Create(options), new AwsCredentialCache(options, TimeProvider.System, NullLogger<AwsCredentialCache>.Instance, null, credentials));
        ownsClients = true;
    }

    /// <summary>Fetches and parses the full notification; it must be an item change of the summarised resource.</summary>
    public async Task<AwsLookupResult<ConfigMessage>> FetchAsync(ConfigMessage oversized, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(oversized);
        var summary = oversized.Summary ?? throw new ArgumentException("Not an oversized notification.", nameof(oversized));
        var (bucket, key, refusal) = ConfigDeliveryLocation.Check(summary, oversized.S3Delivery?.S3BucketLocation, options);
        if (refusal is not null)
        {
            return AwsLookupResult<ConfigMessage>.Permanent(refusal);
        }

        byte[] content;
        try
        {
            // The object lives in the change's account unless a central log-archive bucket's policy grants the reader.
            var lease = await clients.S3Async(summary.AwsAccountId, string.IsNullOrEmpty(options.Region) ? summary.AwsRegion : options.Region, cancellationToken);
            if (lease.Client is not { } client)
            {
                var unavailable = "S3 GetObject not tried: " + lease.Problem;
                return lease.Transient ? AwsLookupResult<ConfigMessage>.Transient(unavailable) : AwsLookupResult<ConfigMessage>.Permanent(unavailable);
            }

            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ExpectedBucketOwner = options.ConfigBucketOwner }, cancellationToken);
            content = await ReadAsync(response.ResponseStream, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidDataException exception)
        {
            return AwsLookupResult<ConfigMessage>.Permanent($"the S3 object is not valid gzip or too large: {exception.Message}");
        }
        catch (Exception exception) when (exception is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException or OperationCanceledException)
        {
            var problem = $"S3 GetObject failed: {AwsErrorClassifier.Describe(exception)}";
            return AwsErrorClassifier.IsTransient(exception)
                ? AwsLookupResult<ConfigMessage>.Transient(problem)
                : AwsLookupResult<ConfigMessage>.Permanent(problem);
        }

        var message = ConfigMessageParser.Parse(content);
        if (message.Kind != ConfigMessageKind.ItemChange || message.Item is null)
        {
            return AwsLookupResult<ConfigMessage>.Permanent($"the S3 object is not a configuration item change ({message.Kind}: {message.Problem})");
        }

        if (!string.Equals(message.Item.ResourceId, summary.ResourceId, StringComparison.Ordinal) ||
            !string.Equals(message.Item.AwsAccountId, summary.AwsAccountId, StringComparison.Ordinal) ||
            !string.Equals(message.Item.AwsRegion, summary.AwsRegion, StringComparison.Ordinal))
        {
            return AwsLookupResult<ConfigMessage>.Permanent("the S3 object describes another resource than the notification's summary");
        }

        return AwsLookupResult<ConfigMessage>.Found(message);
    }

    internal static bool IsBucketName(string bucket) =>
        bucket.Length is >= 3 and <= 63 && bucket.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');

    /// <summary><c>bucket/key</c>, with a bucket name S3 would accept; anything else is refused before any request.</summary>
    internal static bool TrySplitLocation(string? location, out string bucket, out string key)
    {
        bucket = key = string.Empty;
        var slash = location?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (location is null || slash is < 3 or > 63 || slash == location.Length - 1)
        {
            return false;
        }

        bucket = location[..slash];
        key = location[(slash + 1)..];
        return bucket.All(static c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.');
    }

    private async Task<byte[]> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var raw = await ReadCappedAsync(stream, options.MaxOversizedItemBytes, cancellationToken);

        // Config writes .json.gz objects; accept plain JSON too (e.g. an object re-uploaded by hand).
        if (raw.Length < 2 || raw[0] != 0x1f || raw[1] != 0x8b)
        {
            return raw;
        }

        await using var gzip = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
        return await ReadCappedAsync(gzip, options.MaxOversizedItemBytes, cancellationToken);
    }

    private static async Task<byte[]> ReadCappedAsync(Stream stream, long cap, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > cap)
            {
                throw new InvalidDataException($"more than {cap} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    public void Dispose()
    {
        if (ownsClients)
        {
            clients.Credentials.Dispose();
            clients.Dispose();
        }
    }
}
