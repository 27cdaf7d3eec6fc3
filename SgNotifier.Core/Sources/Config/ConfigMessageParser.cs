using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Sns;

namespace SgNotifier.Core.Sources.Config;

/// <summary>
/// Reads an AWS Config message (the SNS <c>Message</c> string) into a <see cref="ConfigMessage"/>.
/// Never throws for bad input: anything unreadable becomes <see cref="ConfigMessageKind.NotConfig"/> or
/// <see cref="ConfigMessageKind.Malformed"/> with a problem description that quotes no content.
/// </summary>
public static class ConfigMessageParser
{
    public const string SecurityGroupResourceType = "AWS::EC2::SecurityGroup";
    public const string ItemChangeNotification = "ConfigurationItemChangeNotification";
    public const string OversizedItemChangeNotification = "OversizedConfigurationItemChangeNotification";
    public const string OversizedItemChangeDeliveryFailed = "OversizedConfigurationItemChangeDeliveryFailed";

    /// <summary>The five <c>messageType</c>s Config sends to the same topic that are not about one item change.</summary>
    public static readonly IReadOnlySet<string> OtherMessageTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "ComplianceChangeNotification",
        "ConfigRulesEvaluationStarted",
        "ConfigurationHistoryDeliveryCompleted",
        "ConfigurationSnapshotDeliveryStarted",
        "ConfigurationSnapshotDeliveryCompleted",
    };

    // EventBridge names Config events by detail-type; the detail usually repeats messageType, but not always.
    private static readonly Dictionary<string, string> EventBridgeDetailTypes = new(StringComparer.Ordinal)
    {
        ["Config Configuration Item Change"] = ItemChangeNotification,
        ["Config Rules Compliance Change"] = "ComplianceChangeNotification",
        ["Config Rules Re-evaluation Status"] = "ConfigRulesEvaluationStarted",
        ["Config Configuration History Delivery Status"] = "ConfigurationHistoryDeliveryCompleted",
        ["Config Configuration Snapshot Delivery Status"] = "ConfigurationSnapshotDeliveryCompleted",
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>Up to this many IPv4 ranges in one permission, duplicates are found by a scan; beyond it, by a set.</summary>
    private const int LinearPeerScanLimit = 16;

    public static ConfigMessage Parse(string? message)
    {
        if (string.IsNullOrWhiteSpace(message))
        {
            return ConfigMessage.NotConfig("the message is empty");
        }

        // Transcoded once, as JsonDocument.Parse(string) would, but refusing a lone surrogate instead of throwing.
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(message.Length));
        try
        {
            return Utf8.FromUtf16(message, buffer, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done
                ? Parse(buffer.AsMemory(0, written))
                : ConfigMessage.NotConfig("the message has a lone surrogate");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses UTF-8 JSON, e.g. the full notification of an oversized item fetched from S3.</summary>
    public static ConfigMessage Parse(ReadOnlyMemory<byte> utf8Json)
    {
        if (ParseDocument(utf8Json, out var problem) is not { } document)
        {
            return ConfigMessage.NotConfig("the message " + problem);
        }

        using (document)
        {
            return Parse(document.RootElement);
        }
    }

    /// <summary>
    /// The document, or null and why. Text every string of which can be read is checked first, so that no
    /// <c>GetString</c> below can fail: the readers only meet values of the wrong kind, which they report.
    /// </summary>
    private static JsonDocument? ParseDocument(ReadOnlyMemory<byte> utf8Json, out string? problem)
    {
        problem = Utf8JsonText.Problem(utf8Json.Span);
        if (problem is not null)
        {
            return null;
        }

        try
        {
            return JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException)
        {
            // JsonDocument has no Try form: grammar errors arrive as this exception, and only they are caught.
            problem = "is not JSON";
            return null;
        }
    }

    private static ConfigMessage Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return ConfigMessage.NotConfig($"the message is a JSON {ConfigJson.Describe(root.ValueKind)}, not an object");
        }

        var viaEventBridge = false;
        string? messageType = null;
        if (root.TryGetProperty("detail-type", out var detailType) && detailType.ValueKind == JsonValueKind.String &&
            root.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.String &&
            string.Equals(source.GetString(), "aws.config", StringComparison.Ordinal))
        {
            viaEventBridge = true;
            if (!root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
            {
                return ConfigMessage.Malformed(null, "the EventBridge event has no 'detail' object", viaEventBridge);
            }

            root = detail;
            if (EventBridgeDetailTypes.TryGetValue(detailType.GetString()!, out var mapped))
            {
                messageType = mapped;
            }
        }

        if (root.TryGetProperty("messageType", out var typeElement))
        {
            if (typeElement.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(typeElement.GetString()))
            {
                return ConfigMessage.NotConfig("'messageType' is not a string");
            }

            messageType = typeElement.GetString();
        }

        if (messageType is null)
        {
            return viaEventBridge
                ? new ConfigMessage(ConfigMessageKind.UnknownMessageType, null, "the EventBridge detail-type is not a Config notification", null, null, null, null, viaEventBridge)
                : ConfigMessage.NotConfig("the message has no 'messageType'");
        }

        try
        {
            return messageType switch
            {
                ItemChangeNotification => ParseItemChange(root, messageType, viaEventBridge),
                OversizedItemChangeNotification => ParseOversized(root, messageType, ConfigMessageKind.OversizedItemChange, viaEventBridge),
                OversizedItemChangeDeliveryFailed => ParseOversized(root, messageType, ConfigMessageKind.OversizedDeliveryFailed, viaEventBridge),
                _ when OtherMessageTypes.Contains(messageType) =>
                    new ConfigMessage(ConfigMessageKind.OtherNotification, messageType, null, null, null, null, null, viaEventBridge),
                _ => new ConfigMessage(ConfigMessageKind.UnknownMessageType, messageType, "the messageType is not one AWS Config sends", null, null, null, null, viaEventBridge),
            };
        }
        catch (ConfigFormatException exception)
        {
            // The readers' one exception: a value of the wrong kind or shape deep inside the item. Anything else is a bug.
            return ConfigMessage.Malformed(messageType, exception.Message, viaEventBridge);
        }
    }

    private static ConfigMessage ParseItemChange(JsonElement root, string messageType, bool viaEventBridge)
    {
        if (!root.TryGetValue("configurationItem", out var itemElement))
        {
            throw new ConfigFormatException("'configurationItem' is missing");
        }

        // The oldest documented format (2014) sends configurationItem as a one-element array.
        if (itemElement.ValueKind == JsonValueKind.Array)
        {
            var items = itemElement.EnumerateArray().ToList();
            if (items.Count != 1)
            {
                throw new ConfigFormatException($"'configurationItem' is an array of {items.Count} items");
            }

            itemElement = items[0];
        }

        if (itemElement.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFormatException($"'configurationItem' is a {ConfigJson.Describe(itemElement.ValueKind)}, not an object");
        }

        var item = ParseItem(itemElement);
        ConfigurationItemDiff? diff = null;
        if (item.IsSecurityGroup && root.TryGetValue("configurationItemDiff", out var diffElement))
        {
            diff = ParseDiff(diffElement);
        }

        return new ConfigMessage(ConfigMessageKind.ItemChange, messageType, null, item, diff, null, null, viaEventBridge);
    }

    private static ConfigurationItem ParseItem(JsonElement item)
    {
        var resourceType = item.GetRequiredScalar("resourceType");
        var resourceId = item.GetRequiredScalar("resourceId");
        var arn = item.GetScalar("ARN");
        var isSecurityGroup = string.Equals(resourceType, SecurityGroupResourceType, StringComparison.OrdinalIgnoreCase);
        var (account, region) = ReadAccountAndRegion(item, arn, required: isSecurityGroup);

        var relatedEvents = item.GetArray("relatedEvents")
            .Where(static e => e.ValueKind == JsonValueKind.String)
            .Select(static e => e.GetString()!)
            .ToList();

        var tags = item.TryGetValue("tags", out var tagsElement)
            ? ConfigJson.ReadTags(tagsElement) ?? []
            : new Dictionary<string, string>(StringComparer.Ordinal);

        SecurityGroupConfiguration? configuration = null;
        if (isSecurityGroup && item.TryGetValue("configuration", out var configurationElement))
        {
            configuration = ParseSecurityGroup(configurationElement, "configuration");
        }

        return new ConfigurationItem(
            resourceType,
            resourceId,
            item.GetScalar("resourceName"),
            account,
            region,
            arn,
            item.GetScalar("configurationItemStatus"),
            item.GetTimestamp("configurationItemCaptureTime"),
            item.GetScalar("configurationStateId") ?? item.GetScalar("configurationStateMd5Hash"),
            relatedEvents,
            tags,
            configuration);
    }

    private static ConfigMessage ParseOversized(JsonElement root, string messageType, ConfigMessageKind kind, bool viaEventBridge)
    {
        if (!root.TryGetValue("configurationItemSummary", out var summaryElement) || summaryElement.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFormatException("'configurationItemSummary' is missing or not an object");
        }

        var resourceType = summaryElement.GetRequiredScalar("resourceType");
        var arn = summaryElement.GetScalar("ARN");
        var (account, region) = ReadAccountAndRegion(
            summaryElement, arn, required: string.Equals(resourceType, SecurityGroupResourceType, StringComparison.OrdinalIgnoreCase));
        var summary = new ConfigurationItemSummary(
            summaryElement.GetScalar("changeType")?.ToUpperInvariant(),
            resourceType,
            summaryElement.GetRequiredScalar("resourceId"),
            summaryElement.GetScalar("resourceName"),
            account,
            region,
            arn,
            summaryElement.GetScalar("configurationItemStatus"),
            summaryElement.GetTimestamp("configurationItemCaptureTime"),
            summaryElement.GetScalar("configurationStateId") ?? summaryElement.GetScalar("configurationStateMd5Hash"));

        S3DeliverySummary? delivery = null;
        if (root.TryGetValue("s3DeliverySummary", out var deliveryElement))
        {
            if (deliveryElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigFormatException("'s3DeliverySummary' is not an object");
            }

            delivery = new S3DeliverySummary(
                deliveryElement.GetScalar("s3BucketLocation"),
                deliveryElement.GetScalar("errorCode"),
                deliveryElement.GetScalar("errorMessage"));
        }

        return new ConfigMessage(kind, messageType, null, null, null, summary, delivery, viaEventBridge);
    }

    private static (string Account, string Region) ReadAccountAndRegion(JsonElement element, string? arn, bool required)
    {
        // arn:partition:service:region:account:resource
        var arnParts = arn?.Split(':', 6);
        var account = element.GetScalar("awsAccountId") ?? element.GetScalar("accountId") ??
            (arnParts is { Length: 6 } && arnParts[4].Length > 0 ? arnParts[4] : null);
        var region = element.GetScalar("awsRegion") ??
            (arnParts is { Length: 6 } && arnParts[3].Length > 0 ? arnParts[3] : null);
        if (required && account is null)
        {
            throw new ConfigFormatException("'awsAccountId' is missing");
        }

        if (required && region is null)
        {
            throw new ConfigFormatException("'awsRegion' is missing");
        }

        return (account ?? string.Empty, region ?? string.Empty);
    }

    private static ConfigurationItemDiff ParseDiff(JsonElement diff)
    {
        if (diff.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFormatException("'configurationItemDiff' is not an object");
        }

        var permissionChanges = new List<PermissionChange>();
        var tagChanges = new List<TagPropertyChange>();
        var others = new List<string>();
        ConfigurationChange? whole = null;

        if (diff.TryGetValue("changedProperties", out var properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigFormatException("'changedProperties' is not an object");
            }

            foreach (var property in properties.EnumerateObject())
            {
                if (property.Value.ValueKind is JsonValueKind.Null)
                {
                    continue;
                }

                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new ConfigFormatException($"changed property '{property.Name}' is not an object");
                }

                property.Value.TryGet("previousValue", out var previous);
                property.Value.TryGet("updatedValue", out var updated);
                var changeType = property.Value.GetScalar("changeType")?.ToUpperInvariant();

                switch (ClassifyChangedProperty(property.Name))
                {
                    case ChangedPropertyKind.Configuration:
                        whole = new ConfigurationChange(
                            ParseSecurityGroupOrNull(previous, property.Name + ".previousValue"),
                            ParseSecurityGroupOrNull(updated, property.Name + ".updatedValue"));
                        break;
                    case ChangedPropertyKind.IngressPermissions or ChangedPropertyKind.EgressPermissions:
                        var direction = ClassifyChangedProperty(property.Name) == ChangedPropertyKind.IngressPermissions
                            ? RuleDirection.Ingress
                            : RuleDirection.Egress;
                        permissionChanges.Add(new PermissionChange(
                            property.Name,
                            direction,
                            changeType,
                            ParsePermissionValue(previous, property.Name),
                            ParsePermissionValue(updated, property.Name)));
                        break;
                    case ChangedPropertyKind.Tags:
                        tagChanges.Add(new TagPropertyChange(
                            property.Name,
                            ConfigJson.ReadTags(previous) ?? [],
                            ConfigJson.ReadTags(updated) ?? []));
                        break;
                    default:
                        others.Add(property.Name);
                        break;
                }
            }
        }

        return new ConfigurationItemDiff(diff.GetScalar("changeType")?.ToUpperInvariant(), permissionChanges, tagChanges, whole, others);
    }

    private enum ChangedPropertyKind
    {
        Other,
        Configuration,
        IngressPermissions,
        EgressPermissions,
        Tags,
    }

    private static ChangedPropertyKind ClassifyChangedProperty(string name)
    {
        if (string.Equals(name, "Configuration", StringComparison.OrdinalIgnoreCase))
        {
            return ChangedPropertyKind.Configuration;
        }

        if (IsListKey(name, "Configuration.IpPermissionsEgress"))
        {
            return ChangedPropertyKind.EgressPermissions;
        }

        if (IsListKey(name, "Configuration.IpPermissions"))
        {
            return ChangedPropertyKind.IngressPermissions;
        }

        return IsListKey(name, "Configuration.Tags") || IsListKey(name, "Configuration.TagSet") ||
               IsListKey(name, "SupplementaryConfiguration.Tags") || IsListKey(name, "SupplementaryConfiguration.TagSet")
            ? ChangedPropertyKind.Tags
            : ChangedPropertyKind.Other;
    }

    /// <summary><paramref name="name"/> is <paramref name="list"/> itself or <c>list.N</c>.</summary>
    private static bool IsListKey(string name, string list)
    {
        if (!name.StartsWith(list, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = name.AsSpan(list.Length);
        return rest.IsEmpty || (rest[0] == '.' && rest.Length > 1 && int.TryParse(rest[1..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _));
    }

    private static List<IpPermission> ParsePermissionValue(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => [],
        JsonValueKind.Object => [ParsePermission(value, name)],
        JsonValueKind.Array => value.EnumerateArray().Select(p => ParsePermission(p, name)).ToList(),
        _ => throw new ConfigFormatException($"'{name}' holds a {ConfigJson.Describe(value.ValueKind)}, not a permission"),
    };

    private static SecurityGroupConfiguration? ParseSecurityGroupOrNull(JsonElement value, string name) =>
        value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? null : ParseSecurityGroup(value, name);

    private static SecurityGroupConfiguration ParseSecurityGroup(JsonElement configuration, string name)
    {
        if (configuration.ValueKind == JsonValueKind.String)
        {
            // Some Config writers embed the configuration as a JSON string; its text was checked with the message's.
            var embeddedText = configuration.GetString()!;
            var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(embeddedText.Length));
            try
            {
                var written = Encoding.UTF8.GetBytes(embeddedText, buffer);
                using var embedded = ParseDocument(buffer.AsMemory(0, written), out var problem)
                    ?? throw new ConfigFormatException($"'{name}' is a string that {problem}");
                return ParseSecurityGroup(embedded.RootElement, name);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        if (configuration.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFormatException($"'{name}' is a {ConfigJson.Describe(configuration.ValueKind)}, not an object");
        }

        return new SecurityGroupConfiguration(
            configuration.GetScalar("groupId"),
            configuration.GetScalar("groupName"),
            configuration.GetScalar("description"),
            configuration.GetScalar("vpcId"),
            configuration.GetScalar("ownerId"),
            ParsePermissions(configuration, "ipPermissions"),
            ParsePermissions(configuration, "ipPermissionsEgress"),
            configuration.TryGetValue("tags", out var tags) ? ConfigJson.ReadTags(tags) : null);
    }

    // The loops below run for every rule of the group (1,000 in the benchmarks): no LINQ, closures or boxed enumerators.
    private static List<IpPermission> ParsePermissions(JsonElement configuration, string name)
    {
        if (!configuration.TryGetArray(name, out var array))
        {
            return [];
        }

        var permissions = new List<IpPermission>(array.GetArrayLength());
        foreach (var permission in array.EnumerateArray())
        {
            permissions.Add(ParsePermission(permission, name));
        }

        return permissions;
    }

    private static IpPermission ParsePermission(JsonElement permission, string name)
    {
        if (permission.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFormatException($"a permission in '{name}' is a {ConfigJson.Describe(permission.ValueKind)}, not an object");
        }

        var protocol = KnownProtocol(permission) ?? permission.GetScalar("ipProtocol") ?? throw new ConfigFormatException($"a permission in '{name}' has no 'ipProtocol'");

        // Newer items carry both the legacy ipRanges strings and ipv4Ranges objects for the same CIDRs:
        // keep the object (it has the description) and add only the CIDRs it lacks.
        var ipv4 = new List<PeerEntry>(1);
        HashSet<string>? seen = null;
        AddIpv4Peers(permission, "ipv4Ranges", name, ipv4, ref seen);
        AddIpv4Peers(permission, "ipRanges", name, ipv4, ref seen);

        return new IpPermission(
            protocol,
            permission.GetPort("fromPort"),
            permission.GetPort("toPort"),
            ipv4,
            ReadPeers(permission, "ipv6Ranges", "cidrIpv6", name),
            ReadPeers(permission, "prefixListIds", "prefixListId", name),
            ReadGroupPairs(permission, name));
    }

    /// <summary>The protocols nearly every rule has, as shared strings instead of one new string per rule; null for others.</summary>
    private static string? KnownProtocol(JsonElement permission)
    {
        if (!permission.TryGet("ipProtocol", out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        return value.ValueEquals("tcp"u8) ? "tcp"
            : value.ValueEquals("udp"u8) ? "udp"
            : value.ValueEquals("-1"u8) ? "-1"
            : value.ValueEquals("icmp"u8) ? "icmp"
            : value.ValueEquals("icmpv6"u8) ? "icmpv6"
            : null;
    }

    /// <param name="seen">
    /// The CIDRs already in <paramref name="ipv4"/>, once there are more than <see cref="LinearPeerScanLimit"/>: a
    /// scan is cheapest for the usual few ranges (no allocation), but a permission with thousands of ranges made the
    /// merge quadratic, and a mutated item with 250,000 of them ran for minutes (found by the fuzz of issue 12).
    /// </param>
    private static void AddIpv4Peers(JsonElement permission, string property, string name, List<PeerEntry> ipv4, ref HashSet<string>? seen)
    {
        if (!permission.TryGetArray(property, out var array))
        {
            return;
        }

        foreach (var entry in array.EnumerateArray())
        {
            if (seen is null && ipv4.Count > LinearPeerScanLimit)
            {
                seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var known in ipv4)
                {
                    seen.Add(known.Value);
                }
            }

            if (seen is not null)
            {
                var read = ReadPeer(entry, "cidrIp", name);
                if (seen.Add(read.Value))
                {
                    ipv4.Add(read);
                }

                continue;
            }

            // The legacy string repeating a CIDR already read is skipped without reading it into a new string.
            if (entry.ValueKind == JsonValueKind.String && ContainsExactPeer(ipv4, entry))
            {
                continue;
            }

            var peer = ReadPeer(entry, "cidrIp", name);
            if (!ContainsPeer(ipv4, peer.Value))
            {
                ipv4.Add(peer);
            }
        }
    }

    private static bool ContainsExactPeer(List<PeerEntry> peers, JsonElement value)
    {
        foreach (var peer in peers)
        {
            if (value.ValueEquals(peer.Value))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ContainsPeer(List<PeerEntry> peers, string value)
    {
        foreach (var peer in peers)
        {
            if (string.Equals(peer.Value, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static IReadOnlyList<PeerEntry> ReadPeers(JsonElement permission, string property, string valueName, string name)
    {
        if (!permission.TryGetArray(property, out var array) || array.GetArrayLength() == 0)
        {
            return [];
        }

        var peers = new List<PeerEntry>(array.GetArrayLength());
        foreach (var entry in array.EnumerateArray())
        {
            peers.Add(ReadPeer(entry, valueName, name));
        }

        return peers;
    }

    private static IReadOnlyList<UserIdGroupPair> ReadGroupPairs(JsonElement permission, string name)
    {
        if (!permission.TryGetArray("userIdGroupPairs", out var array) || array.GetArrayLength() == 0)
        {
            return [];
        }

        var pairs = new List<UserIdGroupPair>(array.GetArrayLength());
        foreach (var entry in array.EnumerateArray())
        {
            pairs.Add(ReadGroupPair(entry, name));
        }

        return pairs;
    }

    private static PeerEntry ReadPeer(JsonElement entry, string valueName, string name) => entry.ValueKind switch
    {
        JsonValueKind.String when entry.GetString() is { } text && !string.IsNullOrWhiteSpace(text) => new PeerEntry(text.Trim(), null),
        JsonValueKind.Object => new PeerEntry(
            (entry.GetScalar(valueName) ?? throw new ConfigFormatException($"a peer in '{name}' has no '{valueName}'")).Trim(),
            entry.GetScalar("description")),
        _ => throw new ConfigFormatException($"a peer in '{name}' is a {ConfigJson.Describe(entry.ValueKind)}"),
    };

    private static UserIdGroupPair ReadGroupPair(JsonElement entry, string name)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new ConfigFormatException($"a group pair in '{name}' is a {ConfigJson.Describe(entry.ValueKind)}, not an object");
        }

        var pair = new UserIdGroupPair(
            entry.GetScalar("groupId"),
            entry.GetScalar("groupName"),
            entry.GetScalar("userId"),
            entry.GetScalar("description"),
            entry.GetScalar("vpcId"),
            entry.GetScalar("peeringStatus"));
        return pair.GroupId is null && pair.GroupName is null
            ? throw new ConfigFormatException($"a group pair in '{name}' has neither 'groupId' nor 'groupName'")
            : pair;
    }
}
