namespace SgNotifier.Core.Aws;

/// <summary>An SDK client for one account and region, or why there is none (bad region, role not assumable).</summary>
public sealed record AwsClientResult<T>(T? Client, string? Problem, bool Transient)
    where T : class;
