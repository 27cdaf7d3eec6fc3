namespace SgNotifier.Core.Diff;

/// <summary>Orders rules by direction, protocol, ports, peer, then description (ordinal, nulls first).</summary>
public sealed class SecurityGroupRuleComparer : IComparer<SecurityGroupRule>
{
    public static SecurityGroupRuleComparer Instance { get; } = new();

    public int Compare(SecurityGroupRule? x, SecurityGroupRule? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var result = CompareIdentity(x, y);
        return result != 0 ? result : string.CompareOrdinal(x.Description, y.Description);
    }

    /// <summary>Compares everything but the description.</summary>
    public static int CompareIdentity(SecurityGroupRule x, SecurityGroupRule y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        // Compared as integers: Enum.CompareTo(object) boxes both values, and sorting 1,000 rules calls this ~10,000 times.
        var result = ((int)x.Direction).CompareTo((int)y.Direction);
        if (result == 0)
        {
            result = string.CompareOrdinal(x.Protocol, y.Protocol);
        }

        if (result == 0)
        {
            result = Nullable.Compare(x.FromPort, y.FromPort);
        }

        if (result == 0)
        {
            result = Nullable.Compare(x.ToPort, y.ToPort);
        }

        return result != 0 ? result : string.CompareOrdinal(x.Peer, y.Peer);
    }
}
