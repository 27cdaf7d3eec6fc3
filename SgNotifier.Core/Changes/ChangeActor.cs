namespace SgNotifier.Core.Changes;

/// <summary>
/// Who made a change, from one CloudTrail record's <c>userIdentity</c> and its context: the same whether the record
/// came from <c>LookupEvents</c> (actor lookup for Config changes) or from EventBridge's <c>detail</c>.
/// </summary>
/// <param name="Display">The canonical actor string (REFERENCE-cloudtrail §g), e.g. <c>alice.ops (IAM user)</c>.</param>
/// <param name="Type">The <c>userIdentity.type</c> as AWS sent it (<c>AssumedRole</c>, <c>IAMUser</c>, …), or null.</param>
/// <param name="SessionName">The role session (last segment of an assumed-role ARN) or federated user name.</param>
/// <param name="SourceIdentity">STS source identity: the original human, kept across role chaining.</param>
/// <param name="InvokedBy">The AWS service that acted with these credentials.</param>
/// <param name="Console">The call came from a console session (<c>sessionCredentialFromConsole</c>).</param>
/// <param name="Mfa">The session was MFA-authenticated; null when the record does not say.</param>
/// <param name="Region">The record's <c>awsRegion</c>.</param>
public sealed record ChangeActor(
    string Display,
    string? Type,
    string? Arn,
    string? AccountId,
    string? SessionName,
    string? SourceIdentity,
    string? InvokedBy,
    string? SourceIp,
    string? UserAgent,
    bool Console,
    bool? Mfa,
    string? EventName,
    DateTimeOffset? EventTime,
    string? EventId,
    string? Region);
