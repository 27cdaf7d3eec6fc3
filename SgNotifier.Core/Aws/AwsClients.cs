using System.Collections.Concurrent;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Aws;

/// <summary>
/// The EC2 and S3 clients of each account and region, with that account's credentials from
/// <see cref="AwsCredentialCache"/>. Sources ask here; they never build a client. The cache is bounded
/// (<see cref="MaxClients"/> per service): beyond it the whole cache is dropped and rebuilt on demand, since SDK
/// clients are cheap to create and share their HTTP connections.
/// </summary>
public sealed class AwsClients : IDisposable
{
    internal const int MaxClients = 256;

    private readonly AwsOptions _options;
    private readonly AwsCredentialCache _credentials;
    private readonly ConcurrentDictionary<string, IAmazonEC2> _ec2 = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IAmazonS3> _s3 = new(StringComparer.Ordinal);
    private readonly HttpClientFactory? _httpClientFactory;

    public AwsClients(IOptions<AwsOptions> options, AwsCredentialCache credentials)
        : this(options, credentials, httpClientFactory: null)
    {
    }

    /// <param name="httpClientFactory">
    /// Seam for the benchmarks: the HTTP clients every SDK client made here sends with (an EC2 answered in process);
    /// null for the SDK's own. Not reachable from configuration.
    /// </param>
    internal AwsClients(IOptions<AwsOptions> options, AwsCredentialCache credentials, HttpClientFactory? httpClientFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        _httpClientFactory = httpClientFactory;
    }

    public AwsCredentialCache Credentials => _credentials;

    public Task<AwsClientResult<IAmazonEC2>> Ec2Async(string accountId, string region, CancellationToken cancellationToken) =>
        GetAsync(_ec2, accountId, region, credentials =>
        {
            var config = _options.Configure(new AmazonEC2Config(), _options.Ec2ServiceUrl, region);
            config.HttpClientFactory = _httpClientFactory;
            return credentials is null ? new AmazonEC2Client(config) : new AmazonEC2Client(credentials, config);
        }, cancellationToken);

    public Task<AwsClientResult<IAmazonS3>> S3Async(string accountId, string region, CancellationToken cancellationToken) =>
        GetAsync(_s3, accountId, region, credentials =>
        {
            var config = _options.Configure(new AmazonS3Config(), _options.S3ServiceUrl, region);
            config.HttpClientFactory = _httpClientFactory;

            // An endpoint URL is an emulator or a private endpoint: bucket names go in the path, not the host.
            config.ForcePathStyle = !string.IsNullOrEmpty(_options.S3ServiceUrl);
            return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
        }, cancellationToken);

    private async Task<AwsClientResult<T>> GetAsync<T>(
        ConcurrentDictionary<string, T> cache, string accountId, string region, Func<AWSCredentials?, T> create, CancellationToken cancellationToken)
        where T : class, IDisposable
    {
        if (!AwsRegion.IsValid(region))
        {
            return new AwsClientResult<T>(null, "the region is not an AWS region name", false);
        }

        if (!AwsRegion.IsAccountId(accountId))
        {
            if (_credentials.AssumesRolePerAccount)
            {
                return new AwsClientResult<T>(null, "the account id is not 12 digits", false);
            }

            // Without per-account roles the account only labels the cache entry.
            accountId = "base";
        }

        if (_credentials.ResolvesItself)
        {
            var resolved = await _credentials.GetAsync(accountId, region, cancellationToken);
            if (resolved.Credentials is null)
            {
                return new AwsClientResult<T>(null, resolved.Problem, resolved.Transient);
            }
        }

        if (cache.Count >= MaxClients)
        {
            foreach (var key in cache.Keys)
            {
                // Not disposed: in-flight requests may still use it, and it holds no more than a reference to the
                // SDK's shared HTTP client.
                cache.TryRemove(key, out _);
            }
        }

        try
        {
            return new AwsClientResult<T>(
                cache.GetOrAdd(accountId + "/" + region, _ => create(_credentials.ForClient(accountId, region))), null, false);
        }
        catch (AmazonClientException exception) when (!_credentials.ResolvesItself)
        {
            // Without a role or a web identity the SDK resolves its default chain while it builds the client (EC2's
            // pre-marshall handler does), and throws when the chain is empty: a local preview without AWS credentials.
            // Permanent: asking again finds the same empty chain.
            return new AwsClientResult<T>(null, "no AWS credentials in the default chain (" + exception.GetType().Name + ")", false);
        }
    }

    public void Dispose()
    {
        foreach (var client in _ec2.Values.Cast<IDisposable>().Concat(_s3.Values))
        {
            client.Dispose();
        }

        _ec2.Clear();
        _s3.Clear();
    }
}
