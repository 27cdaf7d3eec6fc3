using Microsoft.Extensions.Logging;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core;

/// <summary>
/// Every log line of SgNotifier.Core, with stable event ids by stage: 1xxx SNS, 2xxx Config and routing,
/// 3xxx e-mail, 4xxx ledger. Message bodies, tokens, keys and full addresses are never logged.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "SNS delivery {Outcome} ({Reason}) message {MessageId} topic {TopicArn}")]
    public static partial void DeliveryAccepted(this ILogger logger, string outcome, string reason, string? messageId, string? topicArn);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning, Message = "SNS delivery malformed ({Reason}): {Detail}")]
    public static partial void DeliveryMalformed(this ILogger logger, string reason, string detail);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "SNS delivery rejected ({Reason}) message {MessageId} topic {TopicArn}")]
    public static partial void DeliveryRejected(this ILogger logger, string reason, string? messageId, string? topicArn);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "SNS delivery deferred for retry ({Reason}) message {MessageId} topic {TopicArn}")]
    public static partial void DeliveryRetry(this ILogger logger, string reason, string? messageId, string? topicArn);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Signing certificate {CertificateFile} unavailable: {Detail}")]
    public static partial void CertificateUnavailable(this ILogger logger, string certificateFile, string detail);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Signing certificate {CertificateFile} invalid: {Detail}")]
    public static partial void CertificateInvalid(this ILogger logger, string certificateFile, string detail);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Information, Message = "Subscription to {TopicArn} confirmed")]
    public static partial void SubscriptionConfirmed(this ILogger logger, string topicArn);

    [LoggerMessage(EventId = 1021, Level = LogLevel.Error, Message = "SNS refused to confirm the subscription to {TopicArn}: HTTP {StatusCode}")]
    public static partial void SubscriptionConfirmFailed(this ILogger logger, string topicArn, int statusCode);

    [LoggerMessage(EventId = 1022, Level = LogLevel.Warning, Message = "SNS unreachable while confirming the subscription to {TopicArn}: {Error}")]
    public static partial void SubscriptionConfirmUnavailable(this ILogger logger, string topicArn, string error);

    [LoggerMessage(EventId = 1023, Level = LogLevel.Error, Message = "Unsubscribed from {TopicArn}: no more security-group changes will arrive from it; subscribe the endpoint again")]
    public static partial void UnsubscribeConfirmationReceived(this ILogger logger, string topicArn);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Warning, Message = "Sns:AllowedTopicArns is empty: every SNS message will be rejected (topic-not-allowed)")]
    public static partial void NoAllowedTopics(this ILogger logger);

    [LoggerMessage(EventId = 1031, Level = LogLevel.Warning, Message = "Sns:VerifySignatures is false (Development): SNS signatures are NOT checked")]
    public static partial void SignaturesNotVerified(this ILogger logger);

    // Issue 13: 1050–1059.
    [LoggerMessage(EventId = 1052, Level = LogLevel.Warning,
        Message = "Signing certificate {CertificateFile} not downloaded: more than {MaxDownloadsPerMinute} certificate downloads this minute (invented certificate names?); SNS will deliver again")]
    public static partial void CertificateDownloadsLimited(this ILogger logger, string certificateFile, int maxDownloadsPerMinute);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning,
        Message = "Subscription to {TopicArn} confirmed WITHOUT authentication: anyone holding its SubscriptionArn can unsubscribe it. Set Sns:AuthenticatedConfirm=true with credentials for the topic's account, or run: {Command}")]
    public static partial void SubscriptionNotAuthenticated(this ILogger logger, string topicArn, string command);


    [LoggerMessage(EventId = 1050, Level = LogLevel.Error,
        Message = "SNS delivery refused with 413: the body is larger than Sns:MaxBodyBytes ({MaxBodyBytes} bytes); SNS does not retry a 4xx, so this delivery is lost")]
    public static partial void DeliveryTooLarge(this ILogger logger, int maxBodyBytes);

    [LoggerMessage(EventId = 1060, Level = LogLevel.Warning, Message = "Health check failed: {FailedChecks}")]
    public static partial void HealthCheckFailed(this ILogger logger, string failedChecks);

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Change {ChangeKey} mailed through {Provider} as {ProviderMessageId} to {RecipientCount} recipient(s)")]
    public static partial void ChangeMailed(this ILogger logger, string? changeKey, string provider, string? providerMessageId, int recipientCount);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Change {ChangeKey}: {Provider} failed transiently ({ErrorCode}); claim released, SNS will deliver again")]
    public static partial void SendDeferred(this ILogger logger, string? changeKey, string provider, string? errorCode);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Error, Message = "Change {ChangeKey}: {Provider} refused the mail for good ({ErrorCode})")]
    public static partial void SendRejected(this ILogger logger, string? changeKey, string provider, string? errorCode, string? detail);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Error, Message = "Message {MessageId} was mailed through {Provider} but the ledger could not record it: a redelivery may mail it again")]
    public static partial void SentButNotRecorded(this ILogger logger, string messageId, string provider);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Warning, Message = "Change {ChangeKey}: delivery failure reported to the fallback recipients ({Status})")]
    public static partial void FailureReported(this ILogger logger, string? changeKey, string status);

    // 2xxx: Config, diff and routing. Never bodies, tag values or addresses.
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information,
        Message = "Config change {Key} ({MessageType}): {Outcome} {Reason}, {RecipientCount} recipients, {AddedCount} added, {RemovedCount} removed, {ChangedCount} changed rules, {TagChangeCount} tag changes, risky {IsRisky}")]
    public static partial void Decided(this ILogger logger, string? key, string? messageType, DecisionOutcome outcome, string reason,
        int recipientCount, int addedCount, int removedCount, int changedCount, int tagChangeCount, bool isRisky);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Message ignored ({Reason}, {MessageType}): {Detail}")]
    public static partial void Ignored(this ILogger logger, string reason, string? messageType, string detail);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Config message could not be read ({Reason}, {MessageType}): {Problem}")]
    public static partial void Unreadable(this ILogger logger, string reason, string? messageType, string? problem);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "{Count} owner addresses of {Key} were rejected: {Reasons}")]
    public static partial void RecipientsRejected(this ILogger logger, string? key, int count, string reasons);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Warning, Message = "Oversized item of {Key} could not be fetched from S3: {Problem}")]
    public static partial void OversizedFetchFailed(this ILogger logger, string? key, string? problem);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning, Message = "Security group of {Key} could not be described by EC2: {Problem}")]
    public static partial void Ec2LookupFailed(this ILogger logger, string? key, string? problem);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Transient AWS failure while inspecting {Key}, SNS should retry: {Problem}")]
    public static partial void TransientAwsFailure(this ILogger logger, string? key, string? problem);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "A change of security group {Key} was NOT notified to anyone ({Reason}): {Detail}")]
    public static partial void ChangeNotNotified(this ILogger logger, string? key, string reason, string detail);

    // Issue 13 (an insider who can only tag a group): 2010–2039.
    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning,
        Message = "Notify:AllowedRecipientDomains is {Setting}: owner tags can send this app's mail (rules, account, VPC, co-owners) to ANY domain")]
    public static partial void AnyRecipientDomain(this ILogger logger, string setting);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning,
        Message = "Change {Key} switched notifications for group {GroupId} OFF ({Cause}); the mail about it says so in its subject")]
    public static partial void NotificationsTurnedOff(this ILogger logger, string? key, string groupId, string cause);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Oversized item of {Key} not read: {Reason}")]
    public static partial void OversizedLocationRefused(this ILogger logger, string? key, string reason);

    // 3000–3099: e-mail senders. Recipients appear only masked (d***@example.com); never bodies or keys.
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Mail accepted by {Provider} as {ProviderMessageId} for {RecipientCount} recipient(s): {MaskedRecipients}")]
    public static partial void MailAccepted(this ILogger logger, string provider, string providerMessageId, int recipientCount, string maskedRecipients);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error,
        Message = "Mail refused for good by {Provider}: {ErrorCode} (HTTP {StatusCode}); retrying cannot help")]
    public static partial void MailRefused(this ILogger logger, string provider, string errorCode, int statusCode);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Warning,
        Message = "Mail not sent by {Provider} for now: {ErrorCode} (HTTP {StatusCode}); the delivery should be retried")]
    public static partial void MailDeferred(this ILogger logger, string provider, string errorCode, int statusCode);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Warning,
        Message = "Mail not sent by {Provider} for now: {ErrorCode}; the delivery should be retried")]
    public static partial void MailTransportFailed(this ILogger logger, string provider, string errorCode, Exception exception);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Debug, Message = "{Provider} error detail: {Detail}")]
    public static partial void ProviderErrorDetail(this ILogger logger, string provider, string detail);

    // 3030–3059: sends whose fate is unknown, ACS repeatability and deferred status checks (issue 18).
    [LoggerMessage(EventId = 3030, Level = LogLevel.Warning,
        Message = "Mail sent to {Provider} but no answer came ({ErrorCode}): it may have been accepted")]
    public static partial void MailFateUnknown(this ILogger logger, string provider, string errorCode, Exception exception);

    [LoggerMessage(EventId = 3031, Level = LogLevel.Warning,
        Message = "Mail sent to {Provider} answered {ErrorCode} (HTTP {StatusCode}): it may have been accepted")]
    public static partial void MailFateUnknownAnswer(this ILogger logger, string provider, string errorCode, int statusCode);

    [LoggerMessage(EventId = 3032, Level = LogLevel.Warning,
        Message = "Change {ChangeKey}: the {Provider} send's fate is unknown ({ErrorCode}); the redelivery repeats the same request (attempt {Attempt}, first sent {FirstSentAt:O}), which the provider de-duplicates")]
    public static partial void SendWillRepeat(this ILogger logger, string? changeKey, string provider, string? errorCode, int attempt, DateTimeOffset firstSentAt);

    [LoggerMessage(EventId = 3033, Level = LogLevel.Error,
        Message = "Change {ChangeKey}: the {Provider} send's fate is unknown ({ErrorCode}) and it cannot be repeated safely; recorded as uncertain and NOT resent: check the provider's logs whether the mail went out")]
    public static partial void SendUncertain(this ILogger logger, string? changeKey, string provider, string? errorCode);

    [LoggerMessage(EventId = 3034, Level = LogLevel.Information,
        Message = "ACS request {OperationId} repeated (attempt {Attempt}, first sent {FirstSentAt:O}) after an unknown outcome")]
    public static partial void AcsRepeated(this ILogger logger, string operationId, int attempt, DateTimeOffset firstSentAt);

    [LoggerMessage(EventId = 3035, Level = LogLevel.Information,
        Message = "ACS operation {OperationId} of an earlier send was found ({Status}): that send was accepted, nothing sent again")]
    public static partial void AcsEarlierSendFound(this ILogger logger, string operationId, string status);

    [LoggerMessage(EventId = 3036, Level = LogLevel.Information,
        Message = "ACS knows no operation {OperationId}: the earlier send never arrived, sending afresh as attempt {Attempt}")]
    public static partial void AcsEarlierSendNotFound(this ILogger logger, string operationId, int attempt);

    [LoggerMessage(EventId = 3037, Level = LogLevel.Information,
        Message = "ACS operation {OperationId} accepted; its status (retry-after {RetryAfter}) is checked in the background, at most until {Until:O}")]
    public static partial void AcsStatusDeferred(this ILogger logger, string operationId, TimeSpan retryAfter, DateTimeOffset until);

    [LoggerMessage(EventId = 3038, Level = LogLevel.Warning,
        Message = "ACS operation {OperationId}: its status was not checked ({Reason}); the mail was accepted, see ACS's email logs for its delivery")]
    public static partial void AcsStatusNotChecked(this ILogger logger, string operationId, string reason);

    [LoggerMessage(EventId = 3010, Level = LogLevel.Information, Message = "ACS operation {OperationId} finished: {Status}")]
    public static partial void AcsOperationFinished(this ILogger logger, string operationId, string status);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning,
        Message = "ACS operation {OperationId} finished: {Status} with error {ErrorCode}")]
    public static partial void AcsOperationFailed(this ILogger logger, string operationId, string status, string errorCode);

    [LoggerMessage(EventId = 3012, Level = LogLevel.Information,
        Message = "ACS operation {OperationId} still {Status} after the poll budget; the mail was accepted")]
    public static partial void AcsOperationPending(this ILogger logger, string operationId, string status);

    [LoggerMessage(EventId = 3013, Level = LogLevel.Warning, Message = "Polling ACS operation {OperationId} failed: {Reason}")]
    public static partial void AcsPollFailed(this ILogger logger, string operationId, string reason);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information, Message = "Mail written to the outbox as {FileName} for {RecipientCount} recipient(s): {MaskedRecipients}")]
    public static partial void OutboxWritten(this ILogger logger, string fileName, int recipientCount, string maskedRecipients);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "Writing to the outbox {Directory} failed: {ErrorCode}")]
    public static partial void OutboxFailed(this ILogger logger, string directory, string errorCode, Exception exception);

    // 4xxx: ledger. MessageIds and change keys are AWS identifiers, not secrets; connection strings are never logged.
    [LoggerMessage(4000, LogLevel.Information, "Ledger entry ({Kind}) of message {MessageId} taken over after a released or expired claim; attempt {Attempt}")]
    public static partial void ClaimTakenOver(this ILogger logger, string kind, string messageId, int attempt);

    [LoggerMessage(4001, LogLevel.Warning, "Message {MessageId} was sent after its lease had been lost; recorded as sent, another delivery may have sent it too")]
    public static partial void SentAfterLeaseLost(this ILogger logger, string messageId);

    [LoggerMessage(4002, LogLevel.Warning, "Could not write the message entry of {MessageId} after its change entry was final; retries of it will use the change entry")]
    public static partial void MessageEntryNotWritten(this ILogger logger, string messageId, Exception exception);

    [LoggerMessage(4003, LogLevel.Warning, "Ledger storage unavailable during {Operation}: status {Status}, error code {ErrorCode}")]
    public static partial void StorageUnavailable(this ILogger logger, string operation, int status, string? errorCode, Exception exception);

    [LoggerMessage(4004, LogLevel.Error, "Ledger storage refused {Operation}: status {Status}, error code {ErrorCode}; check the identity's permissions and Ledger settings")]
    public static partial void StorageRefused(this ILogger logger, string operation, int status, string? errorCode, Exception exception);

    [LoggerMessage(4005, LogLevel.Information, "Ledger table {TableName} is ready")]
    public static partial void TableReady(this ILogger logger, string tableName);

    [LoggerMessage(4006, LogLevel.Warning, "Ledger table {TableName} could not be created at start; the first ledger call will try again")]
    public static partial void TableNotCreatedAtStart(this ILogger logger, string tableName);

    [LoggerMessage(4007, LogLevel.Warning, "Ledger table {TableName} disappeared; creating it again")]
    public static partial void TableMissing(this ILogger logger, string tableName);

    [LoggerMessage(4008, LogLevel.Warning, "Not allowed to create ledger table {TableName} (status {Status}); assuming it exists")]
    public static partial void TableCreationForbidden(this ILogger logger, string tableName, int status);

    [LoggerMessage(4009, LogLevel.Warning, "The in-memory ledger is in use: duplicates are recognised only within this process and until it stops; configure Table storage for anything but a local single-process run")]
    public static partial void MemoryLedgerInUse(this ILogger logger);

    [LoggerMessage(4010, LogLevel.Information, "Purged {Count} ledger entries last written before {OlderThan:O}")]
    public static partial void Purged(this ILogger logger, int count, DateTimeOffset olderThan);

    [LoggerMessage(4011, LogLevel.Warning, "Ledger entry ({Kind}) holds an unknown state; treated as in progress")]
    public static partial void UnknownState(this ILogger logger, string kind);

    // 6xxx: AWS accounts, credentials and CloudTrail actors (issue 16)
    [LoggerMessage(6000, LogLevel.Information, "Assumed the reader role in account {AccountId} until {Expiration:O}")]
    public static partial void RoleAssumed(this ILogger logger, string accountId, DateTimeOffset expiration);

    [LoggerMessage(6001, LogLevel.Error, "Could not assume {RoleArn} in account {AccountId}: {ErrorCode}")]
    public static partial void AssumeRoleFailed(this ILogger logger, string accountId, string roleArn, string errorCode);

    [LoggerMessage(6002, LogLevel.Information, "Assumed the hub role {RoleArn} with the managed identity until {Expiration:O}")]
    public static partial void WebIdentityAssumed(this ILogger logger, string roleArn, DateTimeOffset expiration);

    [LoggerMessage(6003, LogLevel.Error, "Could not assume the hub role {RoleArn} with the managed identity: {ErrorCode}")]
    public static partial void WebIdentityFailed(this ILogger logger, string roleArn, string errorCode);

    [LoggerMessage(6004, LogLevel.Warning, "CloudTrail throttled LookupEvents in account {AccountId} region {Region} ({ErrorCode}); trying once more")]
    public static partial void CloudTrailThrottled(this ILogger logger, string accountId, string region, string errorCode);

    [LoggerMessage(6010, LogLevel.Information, "Change {ChangeKey}: {ActorCount} actor(s) found in CloudTrail (events {EventIds})")]
    public static partial void ActorsFound(this ILogger logger, string? changeKey, int actorCount, string eventIds);

    [LoggerMessage(6011, LogLevel.Information, "Change {ChangeKey}: no matching CloudTrail event; mailed without the actor ({Detail})")]
    public static partial void ActorNotFound(this ILogger logger, string? changeKey, string detail);

    [LoggerMessage(6012, LogLevel.Information, "Change {ChangeKey}: no matching CloudTrail event yet; answering 503 actor-pending until {WaitUntil:O}")]
    public static partial void ActorPending(this ILogger logger, string? changeKey, DateTimeOffset waitUntil);

    [LoggerMessage(6013, LogLevel.Warning, "Change {ChangeKey}: actor unavailable, mailed without it: {Detail}")]
    public static partial void ActorUnavailable(this ILogger logger, string? changeKey, string detail);

    // Issue 17 (CloudTrail as a second source, cross-source correlation): 6100–6149.
    [LoggerMessage(EventId = 6100, Level = LogLevel.Information,
        Message = "CloudTrail: {EventName} call {EventId} in {AccountId}/{Region} failed ({ErrorCode}); nothing changed, nothing mailed")]
    public static partial void CloudTrailCallFailed(this ILogger logger, string eventId, string eventName, string? errorCode, string accountId, string region);

    [LoggerMessage(EventId = 6101, Level = LogLevel.Error,
        Message = "CloudTrail: {EventName} call {EventId} tagged {GroupCount} security groups; only the first {MaxGroups} are read and mailed, AWS Config reports the others")]
    public static partial void CloudTrailTooManyGroups(this ILogger logger, string eventId, string eventName, int groupCount, int maxGroups);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning,
        Message = "CloudTrail: {EventName} call {EventId} named its group by name only and EC2 could not tell its id: {Problem}")]
    public static partial void CloudTrailGroupUnknown(this ILogger logger, string eventId, string eventName, string? problem);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information,
        Message = "Change {ChangeKey} ({Source}) already mailed from {CoveringSource} (events {CoveringEvents}): not mailed again")]
    public static partial void AlreadyNotified(this ILogger logger, string? changeKey, string source, string coveringSource, string coveringEvents);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Warning,
        Message = "Change {ChangeKey}: what the other source already mailed could not be read; mailing it (a possible repeat beats a miss)")]
    public static partial void CoverageUnreadable(this ILogger logger, string? changeKey);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Information,
        Message = "Change {ChangeKey} ({Source}): {Covered} of its facts were already mailed from the other source, {Uncovered} were not; mailing it")]
    public static partial void PartlyCovered(this ILogger logger, string? changeKey, string source, int covered, int uncovered);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Warning,
        Message = "A {Source} message arrived but Notify:Sources does not include it: ignored (source-disabled)")]
    public static partial void SourceDisabled(this ILogger logger, string source);

    // 6170–6179: cross-source change coverage (issue 17 part 4). Atoms hold tag values (OwnerDL addresses), so only
    // counts and hashed row keys are logged, never an atom's text.
    [LoggerMessage(6170, LogLevel.Warning, "Change coverage unavailable during {Operation} of {AtomCount} atom(s): status {Status}, error code {ErrorCode}; {Consequence}")]
    public static partial void CoverageUnavailable(this ILogger logger, string operation, int atomCount, int status, string? errorCode, string consequence, Exception exception);

    [LoggerMessage(6171, LogLevel.Warning, "Change coverage asked to {Operation} {AtomCount} atoms, more than {MaxAtoms}: only the first {MaxAtoms} are used; the rest count as not covered")]
    public static partial void CoverageAtomsLimited(this ILogger logger, string operation, int atomCount, int maxAtoms);

    [LoggerMessage(6172, LogLevel.Warning, "Change coverage row {PartitionKey} holds unreadable reports; treated as empty and rewritten on the next report")]
    public static partial void CoverageRowUnreadable(this ILogger logger, string partitionKey);

    [LoggerMessage(6173, LogLevel.Warning, "Change coverage row {PartitionKey} not recorded: it changed under {Races} writes in a row; the other source may mail this fact again")]
    public static partial void CoverageRaceLost(this ILogger logger, string partitionKey, int races);

    [LoggerMessage(6174, LogLevel.Warning, "The in-memory change coverage is in use: reports are matched only within this process and until it stops; configure Table storage for anything but a local single-process run")]
    public static partial void MemoryCoverageInUse(this ILogger logger);

    [LoggerMessage(6175, LogLevel.Debug, "Change coverage recorded {AtomCount} atom(s) from {Source} (events {EventIds})")]
    public static partial void CoverageRecorded(this ILogger logger, int atomCount, string source, string eventIds);
    // 615x-616x: the group directory and EC2 reads of a group (issue 17)
    [LoggerMessage(6150, LogLevel.Warning, "Group directory storage unavailable during {Operation}: status {Status}, error code {ErrorCode}; answered as unknown")]
    public static partial void GroupStorageUnavailable(this ILogger logger, string operation, int status, string? errorCode, Exception exception);

    [LoggerMessage(6151, LogLevel.Error, "Group directory storage refused {Operation}: status {Status}, error code {ErrorCode}; check the identity's permissions and Ledger settings")]
    public static partial void GroupStorageRefused(this ILogger logger, string operation, int status, string? errorCode, Exception exception);

    [LoggerMessage(6152, LogLevel.Information, "Group directory table {TableName} is ready")]
    public static partial void GroupTableReady(this ILogger logger, string tableName);

    [LoggerMessage(6153, LogLevel.Warning, "Group directory table {TableName} could not be created at start; the first directory call will try again")]
    public static partial void GroupTableNotCreatedAtStart(this ILogger logger, string tableName);

    [LoggerMessage(6154, LogLevel.Warning, "Group directory table {TableName} disappeared; creating it again")]
    public static partial void GroupTableMissing(this ILogger logger, string tableName);

    [LoggerMessage(6155, LogLevel.Warning, "Not allowed to create group directory table {TableName} (status {Status}); assuming it exists")]
    public static partial void GroupTableCreationForbidden(this ILogger logger, string tableName, int status);

    [LoggerMessage(6156, LogLevel.Warning, "Group {GroupId} state from {Origin} not remembered: {Reason}")]
    public static partial void GroupStateNotRemembered(this ILogger logger, string groupId, string origin, string reason);

    [LoggerMessage(6157, LogLevel.Warning, "Rules of group {GroupId} from {Origin} not stored ({Reason}); remembered as unknown")]
    public static partial void GroupRulesNotStored(this ILogger logger, string groupId, string origin, string reason);

    [LoggerMessage(6158, LogLevel.Warning, "Group {GroupId} state from {Origin} not remembered: {Races} concurrent writes won in a row")]
    public static partial void GroupWriteContended(this ILogger logger, string groupId, string origin, int races);

    [LoggerMessage(6159, LogLevel.Warning, "Stored rules of group {GroupId} are unreadable ({Reason}); answered as unknown")]
    public static partial void GroupRulesUnreadable(this ILogger logger, string groupId, string reason);

    [LoggerMessage(6160, LogLevel.Warning, "The in-memory group directory is in use: it forgets at restart and is not shared between instances")]
    public static partial void MemoryGroupDirectoryInUse(this ILogger logger);

    [LoggerMessage(6161, LogLevel.Information, "The in-memory group directory is full ({Capacity} groups); forgot the least recently observed group")]
    public static partial void MemoryGroupDirectoryFull(this ILogger logger, int capacity);

    [LoggerMessage(6162, LogLevel.Warning, "EC2 DescribeSecurityGroupRules of {GroupId} in account {AccountId} region {Region} failed permanently ({Problem}); using DescribeSecurityGroups' permissions, without rule ids")]
    public static partial void Ec2RulesFallback(this ILogger logger, string groupId, string accountId, string region, string problem);
}
