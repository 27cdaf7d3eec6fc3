using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SgNotifier.Benchmarks.Inputs;

/// <summary>
/// Writes an AWS Config <c>ConfigurationItemChangeNotification</c> for a security group of <c>rules</c> ingress rules
/// to which one rule is added: the item's <c>ipPermissions</c> hold all rules + 1 (the group after the change), the
/// diff holds the added rule as <c>Configuration.IpPermissions.N</c> with a null <c>previousValue</c>, as Config
/// reports it. Rules carry both shapes Config writes (<c>ipv4Ranges</c> objects and legacy <c>ipRanges</c>).
/// The tags opt the group in (<c>NotifyOnChange=Yes</c>) and name its owner (<c>OwnerDL</c>).
/// </summary>
internal static class SecurityGroupChange
{
    public const string AccountId = "123456789012";
    public const string Region = "us-east-1";
    public const string TopicArn = "arn:aws:sns:us-east-1:123456789012:config-sg-changes";
    public const string Owner = "platform-team@example.com";

    /// <summary>The CIDR of the added rule: the mail must name it.</summary>
    public const string AddedPeer = "198.51.100.7/32";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string GroupId(int rules) => "sg-0bench" + rules.ToString("D8", CultureInfo.InvariantCulture);

    public static string Subject(int rules) =>
        $"[AWS Config:{Region}] AWS::EC2::SecurityGroup {GroupId(rules)} Updated in Account {AccountId}";

    public static string Create(int rules) => Create(rules, added: false);

    /// <summary>
    /// The Config notification of the change <see cref="SecurityGroupApiCallEvent"/> makes: <paramref name="rules"/>
    /// rules added to a group that had none but the default egress. The item holds the same rules as the call (port,
    /// CIDR, description), and the diff each of them as <c>Configuration.IpPermissions.N</c> with a null
    /// <c>previousValue</c>: both sources then report, and mail, the same change.
    /// </summary>
    public static string CreateAdded(int rules) => Create(rules, added: true);

    private static string Create(int rules, bool added)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rules);
        var groupId = GroupId(rules);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();

            w.WriteStartObject("configurationItemDiff");
            w.WriteStartObject("changedProperties");
            if (added)
            {
                for (var i = 0; i < rules; i++)
                {
                    w.WriteStartObject("Configuration.IpPermissions." + i.ToString(CultureInfo.InvariantCulture));
                    w.WriteNull("previousValue");
                    w.WritePropertyName("updatedValue");
                    WriteCallRule(w, i);
                    w.WriteString("changeType", "CREATE");
                    w.WriteEndObject();
                }
            }
            else
            {
                w.WriteStartObject("Configuration.IpPermissions." + rules.ToString(CultureInfo.InvariantCulture));
                w.WriteNull("previousValue");
                w.WritePropertyName("updatedValue");
                WriteAddedRule(w);
                w.WriteString("changeType", "CREATE");
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteString("changeType", "UPDATE");
            w.WriteEndObject();

            w.WriteStartObject("configurationItem");
            w.WriteString("configurationItemVersion", "1.3");
            w.WriteString("configurationItemCaptureTime", "2025-03-04T10:15:42.118Z");
            w.WriteNumber("configurationStateId", 1741083342118);
            w.WriteStartArray("relatedEvents");
            w.WriteStringValue("7c9e6679-7425-40de-944b-e07fc1f90ae7");
            w.WriteEndArray();
            w.WriteString("awsAccountId", AccountId);
            w.WriteString("configurationItemStatus", "OK");
            w.WriteString("resourceId", groupId);
            w.WriteString("resourceName", "app-servers");
            w.WriteString("ARN", $"arn:aws:ec2:{Region}:{AccountId}:security-group/{groupId}");
            w.WriteString("awsRegion", Region);
            w.WriteString("availabilityZone", "Not Applicable");
            w.WriteString("resourceType", "AWS::EC2::SecurityGroup");
            w.WriteNull("resourceCreationTime");
            w.WriteStartObject("tags");
            WriteTagMap(w);
            w.WriteEndObject();
            w.WriteStartArray("relationships");
            w.WriteStartObject();
            w.WriteString("resourceId", "vpc-0f1e2d3c4b5a69788");
            w.WriteNull("resourceName");
            w.WriteString("resourceType", "AWS::EC2::VPC");
            w.WriteString("name", "Is contained in Vpc");
            w.WriteEndObject();
            w.WriteEndArray();

            w.WriteStartObject("configuration");
            w.WriteString("description", "App servers");
            w.WriteString("groupName", "app-servers");
            w.WriteStartArray("ipPermissions");
            for (var i = 0; i < rules; i++)
            {
                if (added)
                {
                    WriteCallRule(w, i);
                }
                else
                {
                    WriteExistingRule(w, i);
                }
            }

            if (!added)
            {
                WriteAddedRule(w);
            }

            w.WriteEndArray();
            w.WriteString("ownerId", AccountId);
            w.WriteString("groupId", groupId);
            w.WriteStartArray("ipPermissionsEgress");
            w.WriteStartObject();
            w.WriteString("ipProtocol", "-1");
            WriteEmptyPeers(w);
            w.WriteStartArray("ipv4Ranges");
            w.WriteStartObject();
            w.WriteString("cidrIp", "0.0.0.0/0");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteStartArray("ipRanges");
            w.WriteStringValue("0.0.0.0/0");
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("vpcId", "vpc-0f1e2d3c4b5a69788");
            w.WriteStartArray("tags");
            WriteTagList(w);
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject("supplementaryConfiguration");
            w.WriteEndObject();
            w.WriteEndObject();

            w.WriteString("notificationCreationTime", "2025-03-04T10:15:43.502Z");
            w.WriteString("messageType", "ConfigurationItemChangeNotification");
            w.WriteString("recordVersion", "1.3");
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Rule <paramref name="index"/>: tcp to one port from one /24 of 10.0.0.0/8, with a description.</summary>
    private static void WriteExistingRule(Utf8JsonWriter w, int index)
    {
        var port = 1024 + index;
        var cidr = string.Create(CultureInfo.InvariantCulture, $"10.{index / 256 % 256}.{index % 256}.0/24");
        WriteRule(w, "tcp", port, cidr, string.Create(CultureInfo.InvariantCulture, $"app {index}"));
    }

    /// <summary>Rule <paramref name="index"/> of <see cref="SecurityGroupApiCallEvent"/>.</summary>
    private static void WriteCallRule(Utf8JsonWriter w, int index) =>
        WriteRule(w, "tcp", SecurityGroupApiCallEvent.Port(index), SecurityGroupApiCallEvent.Cidr(index), SecurityGroupApiCallEvent.Description(index));

    private static void WriteAddedRule(Utf8JsonWriter w) => WriteRule(w, "tcp", 22, AddedPeer, "vendor bastion");

    private static void WriteRule(Utf8JsonWriter w, string protocol, int port, string cidr, string description)
    {
        w.WriteStartObject();
        w.WriteString("ipProtocol", protocol);
        w.WriteNumber("fromPort", port);
        w.WriteNumber("toPort", port);
        WriteEmptyPeers(w);
        w.WriteStartArray("ipv4Ranges");
        w.WriteStartObject();
        w.WriteString("cidrIp", cidr);
        w.WriteString("description", description);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("ipRanges");
        w.WriteStringValue(cidr);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteEmptyPeers(Utf8JsonWriter w)
    {
        w.WriteStartArray("ipv6Ranges");
        w.WriteEndArray();
        w.WriteStartArray("prefixListIds");
        w.WriteEndArray();
        w.WriteStartArray("userIdGroupPairs");
        w.WriteEndArray();
    }

    private static void WriteTagMap(Utf8JsonWriter w)
    {
        w.WriteString("Name", "app-servers");
        w.WriteString("NotifyOnChange", "Yes");
        w.WriteString("OwnerDL", Owner);
    }

    private static void WriteTagList(Utf8JsonWriter w)
    {
        foreach (var (key, value) in new[] { ("Name", "app-servers"), ("NotifyOnChange", "Yes"), ("OwnerDL", Owner) })
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WriteString("value", value);
            w.WriteEndObject();
        }
    }
}
