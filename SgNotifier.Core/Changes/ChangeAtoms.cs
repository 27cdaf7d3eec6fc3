using System.Globalization;
using System.Text;
using SgNotifier.Core.Diff;
using SgNotifier.Core.Routing;

namespace SgNotifier.Core.Changes;

/// <summary>
/// The smallest facts a mail reports about a change ("atoms"), as canonical identity strings, so that a report of the
/// same change by AWS Config and by CloudTrail can be matched fact by fact (docs/design-cloudtrail-source.md §4).
/// </summary>
/// <remarks>
/// <para>
/// An atom is the group (account, region, id), a kind, then the fact's parts, each written <c>length:value</c> and
/// separated by a space (<c>12:123456789012 9:eu-west-1 11:sg-0a1b2c3d 10:rule-added 7:ingress 3:tcp …</c>): a value
/// may hold spaces, colons or digits, but never changes where the next part starts, so no value can forge another
/// atom. The text stays readable because people see it in the coverage rows.
/// </para>
/// <para>
/// Only what both sources can state identically is an atom. A rule is its identity without the description
/// (<see cref="SecurityGroupRuleComparer.CompareIdentity"/>), because a revoke carries none, and without its
/// <c>sgr-</c> id, because Config items carry none. A fact a source cannot be sure of yields no atom: the other
/// source's matching atom then stays uncovered and is mailed, which is the safe side.
/// </para>
/// </remarks>
public static class ChangeAtoms
{
    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The change's atoms: distinct and sorted (ordinal). Empty when nothing about it is certain enough to match.</summary>
    public static IReadOnlyList<string> Of(SecurityGroupChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var group = change.Group;
        var atoms = new SortedSet<string>(StringComparer.Ordinal);
        switch (change.Kind)
        {
            case ChangeKind.Deleted:
                // A deleted group's rules and tags go with it. Config's DELETE item lists the removed rules, a
                // DeleteSecurityGroup call may not know them, and both must yield the same atoms.
                atoms.Add(Atom(group, "deleted"));
                break;

            case ChangeKind.Created:
                if (change.Rules.Completeness == RuleCompleteness.Unknown)
                {
                    // Rules added before Config's capture may be in the item but are unknown here: claiming the
                    // creation alone as the whole change could hide them, so nothing is matched.
                    return [];
                }

                atoms.Add(Atom(group, "created"));
                if (change.Rules.Completeness == RuleCompleteness.CurrentOnly)
                {
                    // A new group's rules now are all it gained (and perhaps more, added later: extra atoms only
                    // make coverage harder, never easier).
                    AddRules(atoms, group, "rule-added", change.Rules.Current.Where(static r => !IsDefaultEgress(r.Rule)));
                }
                else
                {
                    AddRuleChanges(atoms, group, change.Rules, skipDefaultEgress: true);
                }

                // A group that did not exist had no tags.
                AddTagChanges(atoms, group, change.Tags.Before ?? NoTags, change.Tags.After);
                break;

            default:
                if (change.Rules.Completeness is RuleCompleteness.CurrentOnly or RuleCompleteness.Unknown)
                {
                    // What changed is not known, so no fact of it can be matched.
                    return [];
                }

                AddRuleChanges(atoms, group, change.Rules, skipDefaultEgress: false);
                AddTagChanges(atoms, group, change.Tags.Before, change.Tags.After);
                break;
        }

        return [.. atoms];
    }

    /// <summary>
    /// The rules a new VPC security group gets from EC2 (all traffic out to <c>0.0.0.0/0</c>, and to <c>::/0</c> in a
    /// VPC with IPv6): Config's CREATE item lists them, a CreateSecurityGroup call does not. Egress to everywhere is
    /// never risky, so treating an explicitly added one as implied can only save a repeated mail, never hide a risk.
    /// </summary>
    internal static bool IsDefaultEgress(SecurityGroupRule rule) =>
        rule.Direction == RuleDirection.Egress &&
        string.Equals(rule.Protocol, "all", StringComparison.Ordinal) &&
        (string.Equals(rule.Peer, "0.0.0.0/0", StringComparison.Ordinal) || string.Equals(rule.Peer, "::/0", StringComparison.Ordinal));

    private static void AddRuleChanges(SortedSet<string> atoms, SecurityGroupIdentity group, RuleChanges rules, bool skipDefaultEgress)
    {
        AddRules(atoms, group, "rule-added", rules.Added.Where(r => !(skipDefaultEgress && IsDefaultEgress(r.Rule))));
        AddRules(atoms, group, "rule-removed", rules.Removed);
        foreach (var modification in rules.Changed)
        {
            if (modification.Before is null)
            {
                // The old value is unknown: only the new rule is a fact; the other source's removal stays uncovered.
                atoms.Add(RuleAtom(group, "rule-added", modification.After));
            }
            else if (SecurityGroupRuleComparer.CompareIdentity(modification.Before, modification.After) == 0)
            {
                atoms.Add(RuleAtom(group, "rule-description", modification.After, modification.After.Description ?? string.Empty));
            }
            else
            {
                atoms.Add(RuleAtom(group, "rule-removed", modification.Before));
                atoms.Add(RuleAtom(group, "rule-added", modification.After));
            }
        }

        // RuleChanges.UnknownRuleIds yield nothing: a rule known only by id cannot match anything.
    }

    private static void AddRules(SortedSet<string> atoms, SecurityGroupIdentity group, string kind, IEnumerable<IdentifiedRule> rules)
    {
        foreach (var rule in rules)
        {
            atoms.Add(RuleAtom(group, kind, rule.Rule));
        }
    }

    private static void AddTagChanges(
        SortedSet<string> atoms, SecurityGroupIdentity group, IReadOnlyDictionary<string, string>? before, IReadOnlyDictionary<string, string>? after)
    {
        if (before is null || after is null)
        {
            return;
        }

        foreach (var (key, value) in after)
        {
            if (!IsAwsTag(key) && !(TryGetOrdinal(before, key, out var previous) && string.Equals(previous, value, StringComparison.Ordinal)))
            {
                atoms.Add(Atom(group, "tag", key, value));
            }
        }

        foreach (var key in before.Keys)
        {
            if (!IsAwsTag(key) && !TryGetOrdinal(after, key, out _))
            {
                atoms.Add(Atom(group, "tag-removed", key));
            }
        }
    }

    // Keys compare ordinal whatever comparer the source's dictionary was built with (EC2 tag keys are case-sensitive).
    private static bool TryGetOrdinal(IReadOnlyDictionary<string, string> tags, string key, out string? value)
    {
        foreach (var (candidate, candidateValue) in tags)
        {
            if (string.Equals(candidate, key, StringComparison.Ordinal))
            {
                value = candidateValue;
                return true;
            }
        }

        value = null;
        return false;
    }

    // aws: tags belong to AWS (CloudFormation, Service Catalog…): users cannot set them and the mail does not report them.
    private static bool IsAwsTag(string key) => key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase);

    private static string RuleAtom(SecurityGroupIdentity group, string kind, SecurityGroupRule rule, string? description = null)
    {
        var direction = rule.Direction == RuleDirection.Egress ? "egress" : "ingress";
        var from = rule.FromPort?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
        var to = rule.ToPort?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
        return description is null
            ? Atom(group, kind, direction, rule.Protocol, from, to, rule.Peer)
            : Atom(group, kind, direction, rule.Protocol, from, to, rule.Peer, description);
    }

    private static string Atom(SecurityGroupIdentity group, string kind, params ReadOnlySpan<string> parts)
    {
        var text = new StringBuilder(64);
        Append(text, group.AccountId);
        Append(text, group.Region);
        Append(text, group.Id);
        Append(text, kind);
        foreach (var part in parts)
        {
            Append(text, part);
        }

        return text.ToString();
    }

    private static void Append(StringBuilder text, string part)
    {
        if (text.Length > 0)
        {
            text.Append(' ');
        }

        text.Append(part.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(part);
    }
}
