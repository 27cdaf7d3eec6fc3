namespace SgNotifier.Core.Sources.Config;

/// <param name="S3BucketLocation"><c>bucket/key</c> of the gzipped full notification; null when delivery failed.</param>
public sealed record S3DeliverySummary(string? S3BucketLocation, string? ErrorCode, string? ErrorMessage);
