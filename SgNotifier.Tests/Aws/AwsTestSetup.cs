using Amazon.Runtime;
using Azure.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SgNotifier.Core.Aws;

namespace SgNotifier.Tests.Aws;

/// <summary>The <c>Aws/</c> classes wired to an <see cref="AwsApiStub"/>, with the stub's base keys as the default chain would give them.</summary>
internal static class AwsTestSetup
{
    public const string RoleTemplate = "arn:aws:iam::{accountId}:role/SgNotifierReader";
    public const string ExternalId = "sgnotifier-7f3c9a1e";

    public static AwsOptions Options(AwsApiStub stub, bool perAccountRoles = true) => new()
    {
        CloudTrailServiceUrl = stub.Url,
        StsServiceUrl = stub.Url,
        Ec2ServiceUrl = stub.Url,
        S3ServiceUrl = stub.Url,
        RoleArnTemplate = perAccountRoles ? RoleTemplate : null,
        ExternalId = perAccountRoles ? ExternalId : null,
        LookupActors = true,
        MaxErrorRetry = 0,
    };

    public static AwsCredentialCache Credentials(AwsOptions options, TimeProvider? time = null, TokenCredential? token = null) =>
        new(options, time ?? TimeProvider.System, NullLogger<AwsCredentialCache>.Instance, token,
            string.IsNullOrEmpty(options.WebIdentity.RoleArn) ? new BasicAWSCredentials(AwsApiStub.BaseAccessKey, AwsApiStub.BaseSecretKey) : null);

    public static CloudTrailLookupEventsClient CloudTrail(AwsOptions options, AwsCredentialCache credentials) =>
        new(HttpClients(), credentials, Microsoft.Extensions.Options.Options.Create(options), NullLogger<CloudTrailLookupEventsClient>.Instance);

    private static IHttpClientFactory HttpClients() =>
        new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();

    /// <summary>A managed identity that hands out the stub's expected token for any scope, recording the scopes asked for.</summary>
    public sealed class FakeManagedIdentity : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken(AwsApiStub.WebIdentityToken, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
