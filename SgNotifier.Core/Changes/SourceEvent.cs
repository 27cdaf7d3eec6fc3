namespace SgNotifier.Core.Changes;

/// <summary>One event a source reported a change with.</summary>
/// <param name="Id">
/// CloudTrail: the call's <c>eventID</c>. Config: the item's <c>configurationStateId</c> for the item itself, and the
/// CloudTrail event ids Config names in <c>relatedEvents</c> (with <see cref="ChangeSource.CloudTrail"/>).
/// </param>
/// <param name="Name">The API call (<c>AuthorizeSecurityGroupIngress</c>) or Config's <c>messageType</c>; null when not told.</param>
/// <param name="Time">When the change happened: CloudTrail's <c>eventTime</c>, Config's capture time; null when not told.</param>
public sealed record SourceEvent(ChangeSource Source, string Id, string? Name, DateTimeOffset? Time);
