using FsCheck;
using FsCheck.Fluent;
using SgNotifier.Core.Diff;

namespace SgNotifier.Tests.Diff;

/// <summary>Rules from small domains, so random multisets share rules, duplicates and same-identity pairs often.</summary>
public static class RuleGenerators
{
    public static Arbitrary<SecurityGroupRule> Rule() =>
        (from direction in Gen.Elements(RuleDirection.Ingress, RuleDirection.Egress)
         from protocol in Gen.Elements("tcp", "udp", "all", "icmp")
         from port in Gen.Elements<int?>(22, 443, null)
         from peer in Gen.Elements("0.0.0.0/0", "10.0.0.0/8", "::/0", "sg-0aaa1111bbbb2222c", "444455556666/sg-0ddd3333eeee4444f", "pl-0a1b2c3d")
         from description in Gen.Elements<string?>(null, "a", "b")
         select new SecurityGroupRule(direction, protocol, port, port, peer, description)).ToArbitrary();
}
