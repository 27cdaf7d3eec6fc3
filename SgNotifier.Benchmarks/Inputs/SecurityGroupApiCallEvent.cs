using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace SgNotifier.Benchmarks.Inputs;

/// <summary>
/// Writes an EventBridge "AWS API Call via CloudTrail" event of an <c>AuthorizeSecurityGroupIngress</c> that adds
/// <c>rules</c> rules in one call — the classic serialisation of TestData/CloudTrail: <c>ipPermissions.items</c> with
/// one permission per port and <c>{}</c> for empty lists, and the response's <c>securityGroupRuleSet</c> with a rule id
/// per rule; or the newer PascalCase serialisation (<c>…Request</c>, no rule ids). A real call usually adds one rule; <c>rules</c> lets the parsers be compared at the Config path's sizes
/// (<see cref="SecurityGroupChange"/>). Request and response both list every rule, so the event is about twice the
/// Config message's size: ~5 KB, ~41 KB, ~400 KB. The 1,000-rule event is for comparison only: EventBridge drops
/// events over 256 KB, and CloudTrail omits requestParameters/responseElements over 100 KB each.
/// </summary>
internal static class SecurityGroupApiCallEvent
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The event's id (<c>detail.eventID</c>): the ledger claims the call by it.</summary>
    public const string EventId = "3b9e1f7a-5c2d-4a8b-9e6f-7d1c2b3a4e5f";

    /// <summary>The id EC2 gave rule <paramref name="index"/>, in the response and in the EC2 reads.</summary>
    public static string RuleId(int index) => "sgr-0bench" + index.ToString("x12", CultureInfo.InvariantCulture);

    /// <summary>The CIDR of rule <paramref name="index"/>: a /24 of 10.0.0.0/8.</summary>
    public static string Cidr(int index) => string.Create(CultureInfo.InvariantCulture, $"10.{index / 256 % 256}.{index % 256}.0/24");

    /// <summary>The port of rule <paramref name="index"/>.</summary>
    public static int Port(int index) => 1000 + index;

    /// <summary>The description of rule <paramref name="index"/>.</summary>
    public static string Description(int index) => "rule " + index.ToString(CultureInfo.InvariantCulture);

    /// <param name="rules">How many rules the call adds.</param>
    /// <param name="pascalCase">
    /// The newer serialisation (REFERENCE-cloudtrail §b): <c>AuthorizeSecurityGroupIngressRequest</c> with PascalCase
    /// <c>IpPermissions</c> (an array, each item with its <c>tag</c>), and a response without the rule set, so the
    /// rules carry no ids.
    /// </param>
    public static string Create(int rules, bool pascalCase = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rules);
        var groupId = SecurityGroupChange.GroupId(rules);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("version", "0");
            w.WriteString("id", "6f1c8a3e-2b7d-4e59-9a41-0c5d3e7f8a12");
            w.WriteString("detail-type", "AWS API Call via CloudTrail");
            w.WriteString("source", "aws.ec2");
            w.WriteString("account", SecurityGroupChange.AccountId);
            w.WriteString("time", "2025-03-04T10:15:40Z");
            w.WriteString("region", SecurityGroupChange.Region);
            w.WriteStartArray("resources");
            w.WriteEndArray();
            w.WriteStartObject("detail");
            w.WriteString("eventVersion", "1.10");
            w.WriteStartObject("userIdentity");
            w.WriteString("type", "IAMUser");
            w.WriteString("principalId", "AIDATXJ4BENCHEXAMPLE");
            w.WriteString("arn", $"arn:aws:iam::{SecurityGroupChange.AccountId}:user/alice.ops");
            w.WriteString("accountId", SecurityGroupChange.AccountId);
            w.WriteString("accessKeyId", "AKIATXJ4BENCHEXAMPLE");
            w.WriteString("userName", "alice.ops");
            w.WriteEndObject();
            w.WriteString("eventTime", "2025-03-04T10:15:40Z");
            w.WriteString("eventSource", "ec2.amazonaws.com");
            w.WriteString("eventName", "AuthorizeSecurityGroupIngress");
            w.WriteString("awsRegion", SecurityGroupChange.Region);
            w.WriteString("sourceIPAddress", "203.0.113.17");
            w.WriteString("userAgent", "aws-cli/2.22.4 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0");
            if (pascalCase)
            {
                WritePascalCase(w, groupId, rules);
            }
            else
            {
                WriteClassic(w, groupId, rules);
            }

            w.WriteString("requestID", "0d5f6a3b-7c21-4e8f-b9d4-1a2b3c4d5e6f");
            w.WriteString("eventID", EventId);
            w.WriteBoolean("readOnly", false);
            w.WriteString("eventType", "AwsApiCall");
            w.WriteBoolean("managementEvent", true);
            w.WriteString("recipientAccountId", SecurityGroupChange.AccountId);
            w.WriteString("eventCategory", "Management");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void WriteClassic(Utf8JsonWriter w, string groupId, int rules)
    {
        w.WriteStartObject("requestParameters");
        w.WriteString("groupId", groupId);
        w.WriteStartObject("ipPermissions");
        w.WriteStartArray("items");
        for (var i = 0; i < rules; i++)
        {
            w.WriteStartObject();
            w.WriteString("ipProtocol", "tcp");
            w.WriteNumber("fromPort", Port(i));
            w.WriteNumber("toPort", Port(i));
            w.WriteStartObject("groups");
            w.WriteEndObject();
            w.WriteStartObject("ipRanges");
            w.WriteStartArray("items");
            w.WriteStartObject();
            w.WriteString("cidrIp", Cidr(i));
            w.WriteString("description", Description(i));
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("ipv6Ranges");
            w.WriteEndObject();
            w.WriteStartObject("prefixListIds");
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("responseElements");
        w.WriteString("requestId", "0d5f6a3b-7c21-4e8f-b9d4-1a2b3c4d5e6f");
        w.WriteBoolean("_return", true);
        w.WriteStartObject("securityGroupRuleSet");
        w.WriteStartArray("items");
        for (var i = 0; i < rules; i++)
        {
            w.WriteStartObject();
            w.WriteString("groupOwnerId", SecurityGroupChange.AccountId);
            w.WriteString("groupId", groupId);
            w.WriteString("securityGroupRuleId", RuleId(i));
            w.WriteString("description", Description(i));
            w.WriteBoolean("isEgress", false);
            w.WriteString("ipProtocol", "tcp");
            w.WriteNumber("fromPort", Port(i));
            w.WriteNumber("toPort", Port(i));
            w.WriteString("cidrIpv4", Cidr(i));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WritePascalCase(Utf8JsonWriter w, string groupId, int rules)
    {
        w.WriteStartObject("requestParameters");
        w.WriteStartObject("AuthorizeSecurityGroupIngressRequest");
        w.WriteString("GroupId", groupId);
        w.WriteStartArray("IpPermissions");
        for (var i = 0; i < rules; i++)
        {
            w.WriteStartObject();
            w.WriteString("IpProtocol", "tcp");
            w.WriteNumber("FromPort", Port(i));
            w.WriteNumber("ToPort", Port(i));
            w.WriteStartObject("IpRanges");
            w.WriteString("CidrIp", Cidr(i));
            w.WriteString("Description", Description(i));
            w.WriteNumber("tag", 1);
            w.WriteEndObject();
            w.WriteNumber("tag", i + 1);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("responseElements");
        w.WriteStartObject("AuthorizeSecurityGroupIngressResponse");
        w.WriteString("xmlns", "http://ec2.amazonaws.com/doc/2016-11-15/");
        w.WriteString("requestId", "0d5f6a3b-7c21-4e8f-b9d4-1a2b3c4d5e6f");
        w.WriteBoolean("return", true);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
