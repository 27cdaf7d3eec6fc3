namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// Thrown by <see cref="CloudTrailJson"/> for a value of the wrong shape and caught only by
/// <see cref="CloudTrailEventParser"/>, which turns it into <see cref="CloudTrailReasons.MalformedEvent"/>.
/// The message names fields and JSON types, never content.
/// </summary>
internal sealed class CloudTrailFormatException(string message) : Exception(message);
