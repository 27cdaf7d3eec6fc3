using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Unicode;
using SgNotifier.Core.Changes;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Sources.Config;
using static SgNotifier.Core.Sources.CloudTrail.CloudTrailJson;

namespace SgNotifier.Core.Sources.CloudTrail;

/// <summary>
/// Reads the SNS <c>Message</c> of an EventBridge rule on <c>aws.ec2</c> / <c>AWS API Call via CloudTrail</c> (the raw
/// event, no input transformer) into a <see cref="SecurityGroupApiCall"/> or an <see cref="IgnoredCloudTrailEvent"/>.
/// Pure: no I/O, clock or logger. Never throws for bad input. Shapes: REFERENCE-cloudtrail §a and §b.
/// </summary>
public static class CloudTrailEventParser
{
    public const string DetailType = "AWS API Call via CloudTrail";
    public const string EventBridgeSource = "aws.ec2";
    public const string EventSource = "ec2.amazonaws.com";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    private static readonly Dictionary<string, SecurityGroupApi> Apis =
        Enum.GetValues<SecurityGroupApi>().ToDictionary(static api => api.ToString(), StringComparer.Ordinal);

    public static CloudTrailReading Parse(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return Ignored(CloudTrailReasons.NotJson, "the message is empty");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(message, DocumentOptions);
        }
        catch (JsonException)
        {
            return Ignored(CloudTrailReasons.NotJson, "the message is not JSON (an EventBridge input transformer? the rule's target must send the event as is)");
        }
        catch (ArgumentException)
        {
            // Lone surrogates in the string cannot be transcoded to UTF-8.
            return Ignored(CloudTrailReasons.NotJson, "the message is not valid Unicode");
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    /// <summary>Parses UTF-8 JSON; invalid UTF-8 is <see cref="CloudTrailReasons.NotJson"/>.</summary>
    public static CloudTrailReading Parse(ReadOnlyMemory<byte> utf8Json)
    {
        // The document parser checks UTF-8 only when a string is read: check it all once, up front.
        if (!Utf8.IsValid(utf8Json.Span))
        {
            return Ignored(CloudTrailReasons.NotJson, "the message is not valid UTF-8");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException)
        {
            return Ignored(CloudTrailReasons.NotJson, "the message is not JSON");
        }

        using (document)
        {
            return Read(document.RootElement);
        }
    }

    private static CloudTrailReading Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Ignored(CloudTrailReasons.NotJson, $"the message is a JSON {ConfigJson.Describe(root.ValueKind)}, not an event object (an EventBridge input transformer?)");
        }

        try
        {
            return ReadEvent(root);
        }
        catch (CloudTrailFormatException exception)
        {
            return Ignored(CloudTrailReasons.MalformedEvent, exception.Message);
        }
    }

    private static CloudTrailReading ReadEvent(JsonElement root)
    {
        var detailType = GetString(root, "detail-type");
        var source = GetString(root, "source");
        if (detailType is null || source is null)
        {
            return Ignored(CloudTrailReasons.NotSecurityGroupCall, "the message is not an EventBridge event (no 'detail-type' or 'source')");
        }

        if (!string.Equals(detailType, DetailType, StringComparison.Ordinal) || !string.Equals(source, EventBridgeSource, StringComparison.Ordinal))
        {
            return Ignored(CloudTrailReasons.NotSecurityGroupCall, "the event is not an EC2 API call via CloudTrail");
        }

        var detail = Get(root, "detail");
        if (detail.ValueKind != JsonValueKind.Object)
        {
            return Ignored(CloudTrailReasons.MalformedEvent, "the event has no 'detail' object");
        }

        if (GetString(detail, "eventSource") is { } eventSource && !string.Equals(eventSource, EventSource, StringComparison.Ordinal))
        {
            return Ignored(CloudTrailReasons.NotSecurityGroupCall, "the call is not to EC2");
        }

        if (GetString(detail, "eventVersion") is { } version && !version.StartsWith("1.", StringComparison.Ordinal))
        {
            return Ignored(CloudTrailReasons.MalformedEvent, "'eventVersion' is not 1.x");
        }

        var eventName = GetRequiredString(detail, "eventName");
        // A lookup, not Enum.TryParse: that also takes numbers ("12") and comma lists.
        if (!Apis.TryGetValue(eventName, out var api))
        {
            return Ignored(CloudTrailReasons.NotSecurityGroupCall, "the call is not one that changes a security group");
        }

        var info = ReadInfo(root, detail, api);
        var request = Unwrap(GetObject(detail, "requestParameters"), eventName + "Request");
        var tagged = api is SecurityGroupApi.CreateTags or SecurityGroupApi.DeleteTags ? TaggedGroupIds(request) : null;
        if (tagged is { Count: 0 })
        {
            return Ignored(CloudTrailReasons.NotSecurityGroupCall, "the call tags no security group", info);
        }

        if (Get(detail, "errorCode").ValueKind != JsonValueKind.Undefined)
        {
            return new IgnoredCloudTrailEvent(CloudTrailReasons.CallFailed, "the call failed", info, PlainCode(detail));
        }

        var response = Unwrap(GetObject(detail, "responseElements"), eventName + "Response");
        var call = new CallBuilder(info, api, RecordForActor(detail));
        switch (api)
        {
            case SecurityGroupApi.AuthorizeSecurityGroupIngress or SecurityGroupApi.AuthorizeSecurityGroupEgress:
                ReadAuthorize(call, request, response, Direction(api));
                break;
            case SecurityGroupApi.RevokeSecurityGroupIngress or SecurityGroupApi.RevokeSecurityGroupEgress:
                ReadRevoke(call, request, response, Direction(api));
                break;
            case SecurityGroupApi.ModifySecurityGroupRules:
                ReadModify(call, request);
                break;
            case SecurityGroupApi.UpdateSecurityGroupRuleDescriptionsIngress or SecurityGroupApi.UpdateSecurityGroupRuleDescriptionsEgress:
                ReadUpdateDescriptions(call, request, Direction(api));
                break;
            case SecurityGroupApi.CreateSecurityGroup:
                ReadCreate(call, request, response);
                break;
            case SecurityGroupApi.DeleteSecurityGroup:
                call.SetGroup(GroupId(request, "groupId"), GetString(request, "groupName"));
                break;
            case SecurityGroupApi.CreateTags or SecurityGroupApi.DeleteTags:
                ReadTags(call, request, tagged!, api == SecurityGroupApi.DeleteTags);
                break;
            default:
                throw new UnreachableException();
        }

        return call.Build();
    }

    /// <summary>
    /// The record without <c>requestParameters</c> and <c>responseElements</c> (read above; up to 100 KB each), as a
    /// standalone element that outlives the document. Cloning the whole record tripled the parse's allocations.
    /// </summary>
    private static JsonElement RecordForActor(JsonElement detail)
    {
        var buffer = new ArrayBufferWriter<byte>(2048);
        try
        {
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                foreach (var property in detail.EnumerateObject())
                {
                    if (!property.NameEquals("requestParameters") && !property.NameEquals("responseElements"))
                    {
                        property.WriteTo(writer);
                    }
                }

                writer.WriteEndObject();
            }
        }
        catch (Exception exception) when (exception is InvalidOperationException or ArgumentException)
        {
            // Re-writing a name or string with an escaped lone surrogate fails: bad input, caught right where it happens.
            throw new CloudTrailFormatException("the record holds text that is not valid Unicode");
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static CloudTrailEventInfo ReadInfo(JsonElement root, JsonElement detail, SecurityGroupApi api)
    {
        var eventId = GetRequiredString(detail, "eventID");
        if (eventId.Length > 128)
        {
            throw new CloudTrailFormatException("'eventID' is longer than 128 characters");
        }

        // EventBridge sets the envelope's account and region itself; the record's own fields are text a forwarder
        // could write. They pick credentials and an endpoint, so when both are present they must agree.
        var envelopeAccount = GetString(root, "account");
        var recipientAccount = GetString(detail, "recipientAccountId");
        if (envelopeAccount is not null && recipientAccount is not null && !string.Equals(envelopeAccount, recipientAccount, StringComparison.Ordinal))
        {
            throw new CloudTrailFormatException("the record's 'recipientAccountId' is not the event's 'account'");
        }

        var envelopeRegion = GetString(root, "region");
        var recordRegion = GetString(detail, "awsRegion");
        if (envelopeRegion is not null && recordRegion is not null && !string.Equals(envelopeRegion, recordRegion, StringComparison.Ordinal))
        {
            throw new CloudTrailFormatException("the record's 'awsRegion' is not the event's 'region'");
        }

        var account = recipientAccount ?? envelopeAccount
            ?? throw new CloudTrailFormatException("neither 'recipientAccountId' nor 'account' is present");
        if (account.Length != 12 || !account.All(char.IsAsciiDigit))
        {
            throw new CloudTrailFormatException("the account id is not 12 digits");
        }

        var region = GetString(detail, "awsRegion") ?? GetString(root, "region")
            ?? throw new CloudTrailFormatException("neither 'awsRegion' nor 'region' is present");
        if (!IsRegion(region))
        {
            throw new CloudTrailFormatException("the region is not a region name");
        }

        return new CloudTrailEventInfo(
            GetString(root, "id"),
            eventId,
            api.ToString(),
            GetTimestamp(detail, "eventTime") ?? GetTimestamp(root, "time"),
            account,
            region);
    }

    // eu-west-1, us-gov-east-1, cn-north-1, ap-southeast-5: two letters, dash-separated words, a number.
    private static bool IsRegion(string region)
    {
        var parts = region.Split('-');
        return region.Length <= 32 && parts.Length >= 3 && parts[0].Length == 2 &&
            parts.Take(parts.Length - 1).All(static p => p.Length > 0 && p.All(char.IsAsciiLetterLower)) &&
            parts[^1].Length is 1 or 2 && parts[^1].All(char.IsAsciiDigit);
    }

    /// <summary>The error code for logs, when it looks like one (<c>Client.UnauthorizedOperation</c>); it is ≤ 1 KB of anything.</summary>
    private static string? PlainCode(JsonElement detail)
    {
        string? code;
        try
        {
            code = GetString(detail, "errorCode");
        }
        catch (CloudTrailFormatException)
        {
            return null;
        }

        return code is { Length: <= 128 } && code.All(static c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '-') ? code : null;
    }

    /// <summary>The newer serialisation nests the parameters in <c>{Op}Request</c> (and the response in <c>{Op}Response</c>).</summary>
    private static JsonElement Unwrap(JsonElement element, string wrapper)
    {
        var inner = GetObject(element, wrapper);
        return inner.ValueKind == JsonValueKind.Object ? inner : element;
    }

    private static RuleDirection Direction(SecurityGroupApi api) => api switch
    {
        SecurityGroupApi.AuthorizeSecurityGroupEgress or SecurityGroupApi.RevokeSecurityGroupEgress or
            SecurityGroupApi.UpdateSecurityGroupRuleDescriptionsEgress => RuleDirection.Egress,
        _ => RuleDirection.Ingress,
    };

    private static void ReadAuthorize(CallBuilder call, JsonElement request, JsonElement response, RuleDirection direction)
    {
        // The response lists what EC2 created, one rule per peer, with ids; for a default-VPC call by group name it is
        // also the only place the group id appears (cloud-custodian #6920). The request is the fallback.
        var created = ResponseRules(GetList(response, "securityGroupRuleSet"), "securityGroupRuleSet", direction, call.Info.AccountId);
        call.SetGroup(GroupId(request, "groupId") ?? created.Select(static r => r.GroupId).FirstOrDefault(static g => g is not null), GetString(request, "groupName"));
        if (created.Count > 0)
        {
            call.Added.AddRange(created.Select(static r => new IdentifiedRule(r.Rule, r.RuleId)));
            return;
        }

        var requested = RequestRules(request, direction, call.Info.AccountId);
        if (requested.Count == 0)
        {
            throw new CloudTrailFormatException("the call names no rules");
        }

        call.Added.AddRange(requested.Select(static r => new IdentifiedRule(r, null)));
    }

    private static void ReadRevoke(CallBuilder call, JsonElement request, JsonElement response, RuleDirection direction)
    {
        var accountId = call.Info.AccountId;
        var requested = RequestRules(request, direction, accountId);
        var requestedIds = RuleIds(request);
        var revoked = ResponseRules(GetList(response, "revokedSecurityGroupRuleSet"), "revokedSecurityGroupRuleSet", direction, accountId);
        call.SetGroup(GroupId(request, "groupId") ?? revoked.Select(static r => r.GroupId).FirstOrDefault(static g => g is not null), GetString(request, "groupName"));
        if (requested.Count == 0 && requestedIds.Count == 0 && revoked.Count == 0)
        {
            throw new CloudTrailFormatException("the call names no rules");
        }

        if (revoked.Count > 0)
        {
            foreach (var rule in revoked)
            {
                // A revoked rule names a referenced group without its account (flat referencedGroupId): the request's
                // form of the same rule keeps the account of a cross-account reference; the response keeps the description.
                var asRequested = requested.FirstOrDefault(r => SameRuleIgnoringGroupAccount(r, rule.Rule));
                var value = asRequested is null ? rule.Rule : asRequested with { Description = rule.Rule.Description ?? asRequested.Description };
                call.Removed.Add(new IdentifiedRule(value, rule.RuleId));
            }

            call.RemovedRuleIds.AddRange(requestedIds.Where(id => !revoked.Any(r => string.Equals(r.RuleId, id, StringComparison.Ordinal))));
            return;
        }

        // Older records have no revokedSecurityGroupRuleSet. In a default VPC a revoke of a rule that does not exist
        // succeeds and lists it in unknownIpPermissionSet: "_return": true is not proof of a change (EC2 API reference).
        var unknown = RequestRules(response, direction, accountId, "unknownIpPermissionSet");
        call.Removed.AddRange(requested
            .Where(r => !unknown.Any(u => SecurityGroupRuleComparer.CompareIdentity(u, r) == 0))
            .Select(static r => new IdentifiedRule(r, null)));
        call.RemovedRuleIds.AddRange(requestedIds);
    }

    private static bool SameRuleIgnoringGroupAccount(SecurityGroupRule requested, SecurityGroupRule revoked) =>
        requested.Direction == revoked.Direction &&
        string.Equals(requested.Protocol, revoked.Protocol, StringComparison.Ordinal) &&
        requested.FromPort == revoked.FromPort && requested.ToPort == revoked.ToPort &&
        string.Equals(PeerWithoutAccount(requested.Peer), revoked.Peer, StringComparison.Ordinal);

    private static string PeerWithoutAccount(string peer)
    {
        var slash = peer.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && peer.AsSpan(slash + 1).StartsWith("sg-", StringComparison.Ordinal) ? peer[(slash + 1)..] : peer;
    }

    private static void ReadModify(CallBuilder call, JsonElement request)
    {
        call.SetGroup(GroupId(request, "GroupId"), null);
        foreach (var entry in GetList(request, "SecurityGroupRule"))
        {
            var ruleId = RuleId(GetString(entry, "SecurityGroupRuleId"), "SecurityGroupRuleId")
                ?? throw new CloudTrailFormatException("a modified rule has no 'SecurityGroupRuleId'");
            var body = GetObject(entry, "SecurityGroupRule");
            if (body.ValueKind != JsonValueKind.Object)
            {
                throw new CloudTrailFormatException("a modified rule has no 'SecurityGroupRule'");
            }

            // The request names no direction; flatten as ingress only to share Config's normalisation, then drop it.
            var rule = SingleRule(body, RuleDirection.Ingress, call.Info.AccountId, "SecurityGroupRule");
            call.Modified.Add(new ModifiedRule(ruleId, rule.Protocol, rule.FromPort, rule.ToPort, rule.Peer, rule.Description));
        }

        if (call.Modified.Count == 0)
        {
            throw new CloudTrailFormatException("the call names no rules");
        }
    }

    private static void ReadUpdateDescriptions(CallBuilder call, JsonElement request, RuleDirection direction)
    {
        call.SetGroup(GroupId(request, "groupId"), GetString(request, "groupName"));
        call.DescriptionsUpdated.AddRange(RequestRules(request, direction, call.Info.AccountId).Select(static r => new IdentifiedRule(r, null)));

        // By rule ids: the query API's SecurityGroupRuleDescription.N. No CloudTrail sample of it is public
        // (REFERENCE-cloudtrail §b): both renderings are read, as for every other list.
        var byId = GetList(request, "securityGroupRuleDescriptions");
        byId.AddRange(GetList(request, "SecurityGroupRuleDescription"));
        foreach (var entry in byId)
        {
            var ruleId = RuleId(GetString(entry, "securityGroupRuleId"), "securityGroupRuleId")
                ?? throw new CloudTrailFormatException("a rule description has no 'securityGroupRuleId'");
            call.DescriptionsUpdatedById.Add(new RuleDescriptionUpdate(ruleId, GetString(entry, "description")));
        }

        if (call.DescriptionsUpdated.Count == 0 && call.DescriptionsUpdatedById.Count == 0)
        {
            throw new CloudTrailFormatException("the call names no rules");
        }
    }

    private static void ReadCreate(CallBuilder call, JsonElement request, JsonElement response)
    {
        var name = GetRequiredString(request, "groupName");
        call.SetGroup(GroupId(response, "groupId"), name, GetString(request, "vpcId"));
        call.GroupDescription = GetString(request, "groupDescription");
        foreach (var specification in GetList(request, "tagSpecificationSet"))
        {
            // Only tags aimed at the group itself; "tags" is a plain array here, unlike every other list (§b).
            if (string.Equals(GetString(specification, "resourceType"), "security-group", StringComparison.Ordinal))
            {
                foreach (var tag in GetList(specification, "tags"))
                {
                    call.TagsAdded[GetRequiredString(tag, "key")] = GetString(tag, "value") ?? string.Empty;
                }
            }
        }
    }

    private static List<string> TaggedGroupIds(JsonElement request)
    {
        var ids = new List<string>();
        foreach (var resource in GetList(request, "resourcesSet"))
        {
            var id = resource.ValueKind == JsonValueKind.Object ? GetString(resource, "resourceId") : AsString(resource, "resourceId");
            // sgr- (a rule's tags) and every other resource type are not the group's tags.
            if (id is not null && id.StartsWith("sg-", StringComparison.Ordinal) && !ids.Contains(id, StringComparer.Ordinal))
            {
                ids.Add(GroupId(id, "resourceId"));
            }
        }

        return ids;
    }

    private static void ReadTags(CallBuilder call, JsonElement request, List<string> groupIds, bool delete)
    {
        foreach (var groupId in groupIds)
        {
            call.Groups.Add(new CloudTrailGroupRef(call.Info.AccountId, call.Info.Region, groupId, null, null));
        }

        foreach (var tag in GetList(request, "tagSet"))
        {
            var key = GetRequiredString(tag, "key");
            if (delete)
            {
                // DeleteTags with a key and no value removes the tag whatever its value.
                call.TagsRemoved[key] = Get(tag, "value").ValueKind == JsonValueKind.Undefined ? null : GetString(tag, "value") ?? string.Empty;
            }
            else
            {
                call.TagsAdded[key] = GetString(tag, "value") ?? string.Empty;
            }
        }

        // EC2 DeleteTags: "If you omit this parameter, we delete all user-defined tags for the specified resources."
        call.AllTagsRemoved = delete && call.TagsRemoved.Count == 0;
        if (!delete && call.TagsAdded.Count == 0)
        {
            throw new CloudTrailFormatException("'tagSet' names no tags");
        }
    }

    /// <summary>The rules a request names: <c>ipPermissions</c> in either serialisation plus the legacy flat form.</summary>
    private static List<SecurityGroupRule> RequestRules(JsonElement parent, RuleDirection direction, string accountId, string listName = "ipPermissions")
    {
        var rules = new List<SecurityGroupRule>();
        foreach (var permission in GetList(parent, listName))
        {
            if (permission.ValueKind != JsonValueKind.Object)
            {
                throw new CloudTrailFormatException($"a member of '{listName}' is not an object");
            }

            rules.AddRange(PermissionFlattener.Flatten(direction, ReadPermission(permission), accountId));
        }

        // The legacy flat form (CLI --protocol/--port/--cidr, the Go SDK): the rule's fields beside groupId, and
        // "ipPermissions": {} (stratus-red-team's detonation record). Only requests have it.
        if (listName == "ipPermissions" && (Get(parent, "ipProtocol").ValueKind != JsonValueKind.Undefined ||
            Get(parent, "cidrIp").ValueKind != JsonValueKind.Undefined || Get(parent, "sourceSecurityGroupName").ValueKind != JsonValueKind.Undefined))
        {
            var protocol = GetString(parent, "ipProtocol") ?? throw new CloudTrailFormatException("the flat rule has no 'ipProtocol'");
            var cidr = GetString(parent, "cidrIp");
            var sourceGroup = GetString(parent, "sourceSecurityGroupName");
            var flat = new IpPermission(
                protocol,
                GetPort(parent, "fromPort"),
                GetPort(parent, "toPort"),
                cidr is null ? [] : [new PeerEntry(cidr, null)],
                [],
                [],
                sourceGroup is null ? [] : [new UserIdGroupPair(null, sourceGroup, GetString(parent, "sourceSecurityGroupOwnerId"), null, null, null)]);
            if (cidr is null && sourceGroup is null)
            {
                throw new CloudTrailFormatException("the flat rule has no 'cidrIp' or 'sourceSecurityGroupName'");
            }

            rules.AddRange(PermissionFlattener.Flatten(direction, flat, accountId));
        }

        return rules;
    }

    /// <summary>An <c>IpPermission</c> as Config's record, so <see cref="PermissionFlattener"/> normalises both sources alike.</summary>
    private static IpPermission ReadPermission(JsonElement permission)
    {
        var protocol = GetString(permission, "ipProtocol") ?? throw new CloudTrailFormatException("a permission has no 'ipProtocol'");
        return new IpPermission(
            protocol,
            GetPort(permission, "fromPort"),
            GetPort(permission, "toPort"),
            Peers(permission, "ipRanges", "cidrIp"),
            Peers(permission, "ipv6Ranges", "cidrIpv6"),
            Peers(permission, "prefixListIds", "prefixListId"),
            GroupPairs(permission));
    }

    private static List<PeerEntry> Peers(JsonElement permission, string listName, string valueName)
    {
        var peers = new List<PeerEntry>();
        foreach (var entry in GetList(permission, listName))
        {
            var value = entry.ValueKind == JsonValueKind.Object ? GetString(entry, valueName) : AsString(entry, valueName);
            peers.Add(new PeerEntry(
                value ?? throw new CloudTrailFormatException($"a member of '{listName}' has no '{valueName}'"),
                entry.ValueKind == JsonValueKind.Object ? GetString(entry, "description") : null));
        }

        return peers;
    }

    private static List<UserIdGroupPair> GroupPairs(JsonElement permission)
    {
        // CloudTrail writes the SDK's UserIdGroupPairs as "groups" (the query API's Groups.N).
        var entries = GetList(permission, "groups");
        entries.AddRange(GetList(permission, "userIdGroupPairs"));
        var pairs = new List<UserIdGroupPair>(entries.Count);
        foreach (var entry in entries)
        {
            if (entry.ValueKind != JsonValueKind.Object)
            {
                throw new CloudTrailFormatException("a member of 'groups' is not an object");
            }

            var groupId = GroupId(entry, "groupId");
            var groupName = GetString(entry, "groupName");
            if (groupId is null && groupName is null)
            {
                throw new CloudTrailFormatException("a member of 'groups' has no 'groupId' or 'groupName'");
            }

            pairs.Add(new UserIdGroupPair(groupId, groupName, GetString(entry, "userId"), GetString(entry, "description"), GetString(entry, "vpcId"), null));
        }

        return pairs;
    }

    private readonly record struct ResponseRule(SecurityGroupRule Rule, string? RuleId, string? GroupId);

    /// <summary>
    /// Rules from <c>securityGroupRuleSet</c> (EC2 <c>SecurityGroupRule</c>: peer in <c>referencedGroupInfo</c>) or
    /// <c>revokedSecurityGroupRuleSet</c> (<c>RevokedSecurityGroupRule</c>: flat <c>referencedGroupId</c>).
    /// </summary>
    private static List<ResponseRule> ResponseRules(List<JsonElement> items, string listName, RuleDirection direction, string accountId)
    {
        var rules = new List<ResponseRule>(items.Count);
        foreach (var item in items)
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw new CloudTrailFormatException($"a member of '{listName}' is not an object");
            }

            var itemDirection = GetBoolean(item, "isEgress") switch
            {
                true => RuleDirection.Egress,
                false => RuleDirection.Ingress,
                null => direction,
            };
            rules.Add(new ResponseRule(
                SingleRule(item, itemDirection, accountId, listName),
                RuleId(GetString(item, "securityGroupRuleId"), "securityGroupRuleId"),
                GroupId(item, "groupId")));
        }

        return rules;
    }

    /// <summary>One rule with exactly one peer, as EC2's SecurityGroupRule and ModifySecurityGroupRules' request write it.</summary>
    private static SecurityGroupRule SingleRule(JsonElement item, RuleDirection direction, string accountId, string listName)
    {
        var protocol = GetString(item, "ipProtocol") ?? throw new CloudTrailFormatException($"a member of '{listName}' has no 'ipProtocol'");
        var description = GetString(item, "description");
        var cidrIpv4 = GetString(item, "cidrIpv4");
        var cidrIpv6 = GetString(item, "cidrIpv6");
        var prefixList = GetString(item, "prefixListId");
        var referenced = GetObject(item, "referencedGroupInfo");
        UserIdGroupPair? pair = null;
        if (referenced.ValueKind == JsonValueKind.Object)
        {
            pair = new UserIdGroupPair(GroupId(referenced, "groupId") ?? throw new CloudTrailFormatException("'referencedGroupInfo' has no 'groupId'"), null, GetString(referenced, "userId"), description, GetString(referenced, "vpcId"), null);
        }
        else if (GroupId(item, "referencedGroupId") is { } flatGroup)
        {
            pair = new UserIdGroupPair(flatGroup, null, null, description, null, null);
        }

        var peers = (cidrIpv4 is null ? 0 : 1) + (cidrIpv6 is null ? 0 : 1) + (prefixList is null ? 0 : 1) + (pair is null ? 0 : 1);
        if (peers != 1)
        {
            throw new CloudTrailFormatException($"a member of '{listName}' has {peers} peers, not one");
        }

        var permission = new IpPermission(
            protocol,
            GetPort(item, "fromPort"),
            GetPort(item, "toPort"),
            cidrIpv4 is null ? [] : [new PeerEntry(cidrIpv4, description)],
            cidrIpv6 is null ? [] : [new PeerEntry(cidrIpv6, description)],
            prefixList is null ? [] : [new PeerEntry(prefixList, description)],
            pair is null ? [] : [pair]);
        return PermissionFlattener.Flatten(direction, permission, accountId)[0];
    }

    private static List<string> RuleIds(JsonElement request)
    {
        // Revoke by rule ids: the key is UNVERIFIED (REFERENCE-cloudtrail §b); an emulator of native records writes
        // securityGroupRuleIds.items[].securityGroupRuleId, the newer style would write SecurityGroupRuleId (content/tag).
        var entries = GetList(request, "securityGroupRuleIds");
        entries.AddRange(GetList(request, "SecurityGroupRuleId"));
        var ids = new List<string>(entries.Count);
        foreach (var entry in entries)
        {
            var id = entry.ValueKind == JsonValueKind.Object && !entry.TryGetValue("content", out _)
                ? GetString(entry, "securityGroupRuleId")
                : AsString(entry, "securityGroupRuleId");
            ids.Add(RuleId(id, "securityGroupRuleId") ?? throw new CloudTrailFormatException("a rule id is empty"));
        }

        return ids;
    }

    private static string? GroupId(JsonElement parent, string name) =>
        GetString(parent, name) is { } id ? GroupId(id, name) : null;

    private static string GroupId(string id, string name) =>
        IsAwsId(id, "sg-") ? id : throw new CloudTrailFormatException($"'{name}' is not a security group id");

    private static string? RuleId(string? id, string name) =>
        id is null || IsAwsId(id, "sgr-") ? id : throw new CloudTrailFormatException($"'{name}' is not a security group rule id");

    // These ids go into EC2 requests later: only sg-/sgr- followed by lowercase letters and digits.
    private static bool IsAwsId(string id, string prefix) =>
        id.Length > prefix.Length && id.Length <= 64 && id.StartsWith(prefix, StringComparison.Ordinal) &&
        id.AsSpan(prefix.Length).ContainsAnyExcept("0123456789abcdefghijklmnopqrstuvwxyz") is false;

    private static IgnoredCloudTrailEvent Ignored(string reason, string problem, CloudTrailEventInfo? info = null) =>
        new(reason, problem, info, null);

    private sealed class CallBuilder(CloudTrailEventInfo info, SecurityGroupApi api, JsonElement record)
    {
        public CloudTrailEventInfo Info { get; } = info;

        public List<CloudTrailGroupRef> Groups { get; } = [];

        public List<IdentifiedRule> Added { get; } = [];

        public List<IdentifiedRule> Removed { get; } = [];

        public List<string> RemovedRuleIds { get; } = [];

        public List<ModifiedRule> Modified { get; } = [];

        public List<IdentifiedRule> DescriptionsUpdated { get; } = [];

        public List<RuleDescriptionUpdate> DescriptionsUpdatedById { get; } = [];

        public Dictionary<string, string> TagsAdded { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, string?> TagsRemoved { get; } = new(StringComparer.Ordinal);

        public bool AllTagsRemoved { get; set; }

        public string? GroupDescription { get; set; }

        public void SetGroup(string? groupId, string? groupName, string? vpcId = null)
        {
            if (groupId is null && groupName is null)
            {
                throw new CloudTrailFormatException("the call names no security group");
            }

            Groups.Add(new CloudTrailGroupRef(Info.AccountId, Info.Region, groupId, groupName, vpcId));
        }

        public SecurityGroupApiCall Build() => new(
            Info, api, Groups, Added, Removed, RemovedRuleIds, Modified, DescriptionsUpdated, DescriptionsUpdatedById,
            TagsAdded, TagsRemoved, AllTagsRemoved, GroupDescription, record);
    }
}
