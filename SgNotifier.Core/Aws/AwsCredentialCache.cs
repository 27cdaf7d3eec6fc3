using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SgNotifier.Core.Aws;

/// <summary>
/// Credentials for each AWS account SgNotifier reads, the one place that knows them:
/// <list type="bullet">
/// <item>base credentials: the managed identity's token exchanged with STS <c>AssumeRoleWithWebIdentity</c> for the
/// hub role (<c>Aws:WebIdentity:RoleArn</c>), else the SDK's default chain (environment, profile: local runs);</item>
/// <item>per account: STS <c>AssumeRole</c> into <c>Aws:RoleArnTemplate</c> with <c>Aws:ExternalId</c>, session name
/// <c>sgnotifier</c>, chained from the base credentials; else the base credentials themselves.</item>
/// </list>
/// Sessions are cached and refreshed <see cref="RefreshMargin"/> before they expire. The role ARN is built only from
/// the configured template and a validated 12-digit account id: nothing in a message picks the role.
/// </summary>
public sealed class AwsCredentialCache : IDisposable
{
    public const string SessionName = "sgnotifier";

    /// <summary>Refresh a session this long before it expires, so no request is signed with one about to lapse.</summary>
    internal static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    /// <summary>The cache holds at most this many account sessions; beyond, the oldest are dropped.</summary>
    internal const int MaxAccounts = 1024;

    private readonly AwsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AwsCredentialCache> _logger;
    private readonly TokenCredential? _tokenCredential;
    private readonly AWSCredentials? _baseOverride;
    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountCredentials> _accountCredentials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IAmazonSecurityTokenService> _stsClients = new(StringComparer.Ordinal);

    // Single flight per role, not one for all: a slow STS answer for one account must not hold up the others' refresh
    // past Aws:ActorLookupTimeout. The hub role has its own.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _roleRefresh = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _hubRefresh = new(1, 1);
    private Session? _hub;

    public AwsCredentialCache(IOptions<AwsOptions> options, TimeProvider time, ILogger<AwsCredentialCache> logger)
        : this(options?.Value ?? throw new ArgumentNullException(nameof(options)), time, logger, tokenCredential: null, baseCredentials: null)
    {
    }

    /// <param name="tokenCredential">Test seam for the managed identity; null builds it from <c>Aws:WebIdentity</c>.</param>
    /// <param name="baseCredentials">Test seam for the base credentials; null for the default chain or the web identity.</param>
    internal AwsCredentialCache(AwsOptions options, TimeProvider time, ILogger<AwsCredentialCache> logger, TokenCredential? tokenCredential, AWSCredentials? baseCredentials)
    {
        _options = options;
        _time = time;
        _logger = logger;
        _baseOverride = baseCredentials;
        _tokenCredential = tokenCredential ??
            (string.IsNullOrEmpty(options.WebIdentity?.RoleArn) ? null
            : string.IsNullOrEmpty(options.WebIdentity.ClientId) ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(options.WebIdentity.ClientId)));
    }

    /// <summary>True when each account's reads go through its own assumed role.</summary>
    public bool AssumesRolePerAccount => !string.IsNullOrEmpty(_options.RoleArnTemplate);

    /// <summary>True when credentials come from STS (a web identity or per-account roles), not straight from the SDK's chain.</summary>
    public bool ResolvesItself => AssumesRolePerAccount || !string.IsNullOrEmpty(_options.WebIdentity?.RoleArn);

    /// <summary>
    /// Credentials that stay valid for a long-lived SDK client of <paramref name="accountId"/>: they ask this cache
    /// on every request, so a refreshed session is picked up. Call <see cref="GetAsync"/> first to learn of failures
    /// as a value; a failure here surfaces as an <see cref="AmazonClientException"/>.
    /// </summary>
    public AWSCredentials? ForClient(string accountId, string region) =>
        !ResolvesItself
            ? _baseOverride
            : _accountCredentials.GetOrAdd(accountId + "/" + region, _ => new AccountCredentials(this, accountId, region));

    /// <summary>Resolves (and caches) the credentials for one account; <paramref name="region"/> picks the STS endpoint.</summary>
    public async Task<AwsCredentialsResult> GetAsync(string accountId, string region, CancellationToken cancellationToken)
    {
        if ((AssumesRolePerAccount && !AwsRegion.IsAccountId(accountId)) || !AwsRegion.IsValid(region))
        {
            return AwsCredentialsResult.Failed("the change's account id or region is not valid", transient: false);
        }

        var baseResult = await GetBaseAsync(region, cancellationToken);
        if (baseResult.Credentials is null || !AssumesRolePerAccount)
        {
            return baseResult;
        }

        var roleArn = AwsOptionsValidation.RoleArnFor(_options.RoleArnTemplate, accountId)!;
        if (_sessions.TryGetValue(roleArn, out var cached) && cached.IsFresh(_time))
        {
            return AwsCredentialsResult.Of(cached.Credentials);
        }

        var refresh = RefreshGateFor(roleArn);
        await refresh.WaitAsync(cancellationToken);
        try
        {
            if (_sessions.TryGetValue(roleArn, out cached) && cached.IsFresh(_time))
            {
                return AwsCredentialsResult.Of(cached.Credentials);
            }

            try
            {
                var response = await Sts(region, baseResult.Credentials).AssumeRoleAsync(
                    new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = SessionName, ExternalId = _options.ExternalId },
                    cancellationToken);
                var session = Session.From(response.Credentials, "AssumeRole");
                if (_sessions.Count >= MaxAccounts)
                {
                    Trim();
                }

                _sessions[roleArn] = session;
                _logger.RoleAssumed(accountId, session.Expiration);
                return AwsCredentialsResult.Of(session.Credentials);
            }
            catch (Exception exception) when (IsAwsFailure(exception, cancellationToken))
            {
                _sessions.TryRemove(roleArn, out _);
                var code = AwsErrorClassifier.Describe(exception);
                _logger.AssumeRoleFailed(accountId, roleArn, code);
                return AwsCredentialsResult.Failed(
                    $"could not assume {roleArn} in account {accountId}: {code}", AwsErrorClassifier.IsTransient(exception));
            }
        }
        finally
        {
            refresh.Release();
        }
    }

    /// <summary>Forgets an account's session, e.g. after AWS answered <c>ExpiredToken</c>: the next call assumes again.</summary>
    public void Invalidate(string accountId)
    {
        if (AwsOptionsValidation.RoleArnFor(_options.RoleArnTemplate, accountId) is { } roleArn)
        {
            _sessions.TryRemove(roleArn, out _);
        }
        else
        {
            _hub = null;
        }
    }

    private async Task<AwsCredentialsResult> GetBaseAsync(string region, CancellationToken cancellationToken)
    {
        var web = _options.WebIdentity;
        if (string.IsNullOrEmpty(web?.RoleArn))
        {
            try
            {
                return AwsCredentialsResult.Of(_baseOverride ?? await DefaultAWSCredentialsIdentityResolver.GetCredentialsAsync());
            }
            catch (AmazonClientException exception)
            {
                return AwsCredentialsResult.Failed("no AWS credentials in the default chain: " + exception.GetType().Name, transient: false);
            }
        }

        if (_hub is { } hub && hub.IsFresh(_time))
        {
            return AwsCredentialsResult.Of(hub.Credentials);
        }

        await _hubRefresh.WaitAsync(cancellationToken);
        try
        {
            if (_hub is { } again && again.IsFresh(_time))
            {
                return AwsCredentialsResult.Of(again.Credentials);
            }

            AccessToken token;
            try
            {
                var scope = web.Audience!.EndsWith("/.default", StringComparison.Ordinal) ? web.Audience : web.Audience + "/.default";
                token = await _tokenCredential!.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken);
            }
            catch (AuthenticationFailedException exception)
            {
                _logger.WebIdentityFailed(web.RoleArn, "managed identity: " + exception.GetType().Name);
                return AwsCredentialsResult.Failed("the managed identity gave no token for Aws:WebIdentity:Audience: " + exception.GetType().Name, transient: true);
            }

            try
            {
                var response = await Sts(region, new AnonymousAWSCredentials()).AssumeRoleWithWebIdentityAsync(
                    new AssumeRoleWithWebIdentityRequest { RoleArn = web.RoleArn, RoleSessionName = SessionName, WebIdentityToken = token.Token },
                    cancellationToken);
                _hub = Session.From(response.Credentials, "AssumeRoleWithWebIdentity");
                _logger.WebIdentityAssumed(web.RoleArn, _hub.Expiration);
                return AwsCredentialsResult.Of(_hub.Credentials);
            }
            catch (Exception exception) when (IsAwsFailure(exception, cancellationToken))
            {
                var code = AwsErrorClassifier.Describe(exception);
                _logger.WebIdentityFailed(web.RoleArn, code);
                return AwsCredentialsResult.Failed($"could not assume the hub role {web.RoleArn} with the managed identity: {code}", AwsErrorClassifier.IsTransient(exception));
            }
        }
        finally
        {
            _hubRefresh.Release();
        }
    }

    private SemaphoreSlim RefreshGateFor(string roleArn)
    {
        if (_roleRefresh.Count >= MaxAccounts)
        {
            // Bounded like the sessions: drop idle gates. One dropped while a caller is about to wait on it costs at
            // most one extra AssumeRole for that role, never a wrong answer; an idle SemaphoreSlim holds no handle.
            foreach (var (arn, gate) in _roleRefresh)
            {
                if (gate.CurrentCount == 1 && !_sessions.ContainsKey(arn))
                {
                    _roleRefresh.TryRemove(arn, out _);
                }
            }
        }

        return _roleRefresh.GetOrAdd(roleArn, static _ => new SemaphoreSlim(1, 1));
    }

    private IAmazonSecurityTokenService Sts(string region, AWSCredentials credentials)
    {
        // One client per region and credential kind; the credentials object is fixed per client, so key on it too.
        var key = region + "/" + (credentials is AnonymousAWSCredentials ? "anonymous" : credentials.GetHashCode().ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (_stsClients.Count > MaxAccounts)
        {
            _stsClients.Clear();
        }

        return _stsClients.GetOrAdd(key, _ =>
            new AmazonSecurityTokenServiceClient(credentials, _options.Configure(new AmazonSecurityTokenServiceConfig(), _options.StsServiceUrl, region)));
    }

    private void Trim()
    {
        var now = _time.GetUtcNow();
        foreach (var (arn, session) in _sessions)
        {
            if (session.Expiration <= now)
            {
                _sessions.TryRemove(arn, out _);
            }
        }

        foreach (var (arn, _) in _sessions.OrderBy(static s => s.Value.Expiration).Take(Math.Max(0, _sessions.Count - (MaxAccounts / 2))))
        {
            _sessions.TryRemove(arn, out _);
        }
    }

    private static bool IsAwsFailure(Exception exception, CancellationToken cancellationToken) =>
        exception is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException ||
        (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    public void Dispose()
    {
        foreach (var client in _stsClients.Values)
        {
            client.Dispose();
        }

        _stsClients.Clear();
        foreach (var gate in _roleRefresh.Values)
        {
            gate.Dispose();
        }

        _roleRefresh.Clear();
        _hubRefresh.Dispose();
    }

    private sealed record Session(SessionAWSCredentials Credentials, DateTimeOffset Expiration)
    {
        public bool IsFresh(TimeProvider time) => time.GetUtcNow() < Expiration - RefreshMargin;

        public static Session From(Amazon.SecurityToken.Model.Credentials? credentials, string call)
        {
            if (credentials is null || string.IsNullOrEmpty(credentials.AccessKeyId) || string.IsNullOrEmpty(credentials.SecretAccessKey))
            {
                throw new AmazonClientException($"STS {call} returned no credentials");
            }

            var expiration = credentials.Expiration is { } when ? new DateTimeOffset(DateTime.SpecifyKind(when, when.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : when.Kind)) : DateTimeOffset.MinValue;
            return new Session(new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken), expiration.ToUniversalTime());
        }
    }

    /// <summary>The credentials an SDK client of one account holds: each request asks the cache, so refreshes apply.</summary>
    private sealed class AccountCredentials(AwsCredentialCache cache, string accountId, string region) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() =>
            GetCredentialsAsync().GetAwaiter().GetResult();

        public override async Task<ImmutableCredentials> GetCredentialsAsync()
        {
            var result = await cache.GetAsync(accountId, region, CancellationToken.None);
            return result.Credentials is { } credentials
                ? await credentials.GetCredentialsAsync()
                : throw new AmazonClientException(result.Problem);
        }
    }
}
