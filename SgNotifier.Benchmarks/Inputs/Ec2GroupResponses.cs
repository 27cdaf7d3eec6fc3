using System.Globalization;
using System.Text;
using System.Xml;

namespace SgNotifier.Benchmarks.Inputs;

/// <summary>
/// What EC2 answers, in its query-protocol XML, about the group of <see cref="SecurityGroupApiCallEvent"/> after the
/// call: <c>DescribeSecurityGroups</c> (name, VPC, tags <c>NotifyOnChange=Yes</c> and <c>OwnerDL</c>, and the
/// permissions, one per port, as EC2 bundles them) and <c>DescribeSecurityGroupRules</c> (one item per rule with its
/// <c>sgr-</c> id, plus the default egress rule). Element names and order as EC2 writes them (API version 2016-11-15).
/// </summary>
internal static class Ec2GroupResponses
{
    private const string Namespace = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private const string EgressRuleId = "sgr-0benchegress0000";

    private static readonly XmlWriterSettings Settings = new() { Encoding = new UTF8Encoding(false), Indent = false };

    public static byte[] DescribeSecurityGroups(int rules)
    {
        var groupId = SecurityGroupChange.GroupId(rules);
        return Write("DescribeSecurityGroupsResponse", w =>
        {
            w.WriteStartElement("securityGroupInfo", Namespace);
            w.WriteStartElement("item", Namespace);
            Element(w, "ownerId", SecurityGroupChange.AccountId);
            Element(w, "groupId", groupId);
            Element(w, "groupName", "app-servers");
            Element(w, "groupDescription", "App servers");
            w.WriteStartElement("ipPermissions", Namespace);
            for (var i = 0; i < rules; i++)
            {
                w.WriteStartElement("item", Namespace);
                Element(w, "ipProtocol", "tcp");
                Element(w, "fromPort", SecurityGroupApiCallEvent.Port(i).ToString(CultureInfo.InvariantCulture));
                Element(w, "toPort", SecurityGroupApiCallEvent.Port(i).ToString(CultureInfo.InvariantCulture));
                Element(w, "groups", null);
                w.WriteStartElement("ipRanges", Namespace);
                w.WriteStartElement("item", Namespace);
                Element(w, "cidrIp", SecurityGroupApiCallEvent.Cidr(i));
                Element(w, "description", SecurityGroupApiCallEvent.Description(i));
                w.WriteEndElement();
                w.WriteEndElement();
                Element(w, "ipv6Ranges", null);
                Element(w, "prefixListIds", null);
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteStartElement("ipPermissionsEgress", Namespace);
            w.WriteStartElement("item", Namespace);
            Element(w, "ipProtocol", "-1");
            Element(w, "groups", null);
            w.WriteStartElement("ipRanges", Namespace);
            w.WriteStartElement("item", Namespace);
            Element(w, "cidrIp", "0.0.0.0/0");
            w.WriteEndElement();
            w.WriteEndElement();
            Element(w, "ipv6Ranges", null);
            Element(w, "prefixListIds", null);
            w.WriteEndElement();
            w.WriteEndElement();
            Element(w, "vpcId", "vpc-0f1e2d3c4b5a69788");
            Element(w, "securityGroupArn", $"arn:aws:ec2:{SecurityGroupChange.Region}:{SecurityGroupChange.AccountId}:security-group/{groupId}");
            w.WriteStartElement("tagSet", Namespace);
            foreach (var (key, value) in new[] { ("Name", "app-servers"), ("NotifyOnChange", "Yes"), ("OwnerDL", SecurityGroupChange.Owner) })
            {
                w.WriteStartElement("item", Namespace);
                Element(w, "key", key);
                Element(w, "value", value);
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        });
    }

    public static byte[] DescribeSecurityGroupRules(int rules)
    {
        var groupId = SecurityGroupChange.GroupId(rules);
        return Write("DescribeSecurityGroupRulesResponse", w =>
        {
            w.WriteStartElement("securityGroupRuleSet", Namespace);
            for (var i = 0; i < rules; i++)
            {
                Rule(w, groupId, SecurityGroupApiCallEvent.RuleId(i), egress: false, "tcp", SecurityGroupApiCallEvent.Port(i), SecurityGroupApiCallEvent.Cidr(i), SecurityGroupApiCallEvent.Description(i));
            }

            Rule(w, groupId, EgressRuleId, egress: true, "-1", -1, "0.0.0.0/0", null);
            w.WriteEndElement();
        });
    }

    private static void Rule(XmlWriter w, string groupId, string ruleId, bool egress, string protocol, int port, string cidr, string? description)
    {
        var portText = port.ToString(CultureInfo.InvariantCulture);
        w.WriteStartElement("item", Namespace);
        Element(w, "securityGroupRuleId", ruleId);
        Element(w, "groupId", groupId);
        Element(w, "groupOwnerId", SecurityGroupChange.AccountId);
        Element(w, "isEgress", egress ? "true" : "false");
        Element(w, "ipProtocol", protocol);
        Element(w, "fromPort", portText);
        Element(w, "toPort", portText);
        Element(w, "cidrIpv4", cidr);
        if (description is not null)
        {
            Element(w, "description", description);
        }

        Element(w, "tagSet", null);
        Element(w, "securityGroupRuleArn", $"arn:aws:ec2:{SecurityGroupChange.Region}:{SecurityGroupChange.AccountId}:security-group-rule/{ruleId}");
        w.WriteEndElement();
    }

    private static byte[] Write(string root, Action<XmlWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = XmlWriter.Create(buffer, Settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement(root, Namespace);
            Element(w, "requestId", "59dbff89-35bd-4eac-99ed-be587EXAMPLE");
            body(w);
            w.WriteEndElement();
        }

        return buffer.ToArray();
    }

    private static void Element(XmlWriter w, string name, string? value)
    {
        w.WriteStartElement(name, Namespace);
        if (value is not null)
        {
            w.WriteString(value);
        }

        w.WriteEndElement();
    }
}
