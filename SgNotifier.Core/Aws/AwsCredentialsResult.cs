using Amazon.Runtime;

namespace SgNotifier.Core.Aws;

/// <summary>Credentials for one account, or why there are none (e.g. the member role could not be assumed).</summary>
/// <param name="Problem">One sentence naming the account and the AWS error code; never a token or key.</param>
/// <param name="Transient">Throttling, 5xx or a timeout: worth trying again later.</param>
public sealed record AwsCredentialsResult(AWSCredentials? Credentials, string? Problem, bool Transient)
{
    public static AwsCredentialsResult Of(AWSCredentials credentials) => new(credentials, null, false);

    public static AwsCredentialsResult Failed(string problem, bool transient) => new(null, problem, transient);
}
