namespace SgNotifier.Core.Changes;

/// <summary>How much of a group's rule change its source could tell.</summary>
public enum RuleCompleteness
{
    /// <summary>Added, removed and changed rules are the whole change.</summary>
    Known,

    /// <summary>
    /// The change is known, but some "before" values are not (a CloudTrail <c>ModifySecurityGroupRules</c> or a
    /// revoke by rule id of a group the directory does not know): those are shown as unknown, never invented.
    /// </summary>
    BeforeUnknown,

    /// <summary>The change itself is unknown; <see cref="RuleChanges.Current"/> holds the group's rules now (an oversized Config item read from EC2).</summary>
    CurrentOnly,

    /// <summary>Nothing is known about the rules (an oversized Config item that could not be read).</summary>
    Unknown,
}
