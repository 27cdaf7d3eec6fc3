namespace SgNotifier.Core.Config;

/// <param name="Problem">What went wrong, for logs: error codes and our own words, never content.</param>
public sealed record AwsLookupResult<T>(AwsLookupStatus Status, T? Value, string? Problem)
    where T : class
{
    public static AwsLookupResult<T> Found(T value) => new(AwsLookupStatus.Found, value, null);

    public static AwsLookupResult<T> Permanent(string problem) => new(AwsLookupStatus.PermanentFailure, null, problem);

    public static AwsLookupResult<T> Transient(string problem) => new(AwsLookupStatus.TransientFailure, null, problem);
}
