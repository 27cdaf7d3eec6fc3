namespace SgNotifier.Core.Aws;

/// <param name="Problem">What went wrong, for logs: error codes and our own words, never content.</param>
/// <param name="IsNotFound">
/// A <see cref="AwsLookupStatus.PermanentFailure"/> because AWS says the thing does not exist (EC2
/// <c>InvalidGroup.NotFound</c>, <c>InvalidGroupId.NotFound</c>/<c>Malformed</c>, no group of that name): a deleted
/// group is routed by the group directory, any other failure by the fallback.
/// </param>
public sealed record AwsLookupResult<T>(AwsLookupStatus Status, T? Value, string? Problem, bool IsNotFound = false)
    where T : class
{
    public static AwsLookupResult<T> Found(T value) => new(AwsLookupStatus.Found, value, null);

    public static AwsLookupResult<T> Permanent(string problem) => new(AwsLookupStatus.PermanentFailure, null, problem);

    public static AwsLookupResult<T> Transient(string problem) => new(AwsLookupStatus.TransientFailure, null, problem);

    /// <summary>A permanent failure because the thing does not exist (<see cref="IsNotFound"/>).</summary>
    public static AwsLookupResult<T> NotFound(string problem) => new(AwsLookupStatus.PermanentFailure, null, problem, true);
}
