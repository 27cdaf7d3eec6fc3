namespace SgNotifier.Core.Changes;

public enum ChangeKind
{
    Created,
    Updated,
    Deleted,
}

public static class ChangeKindNames
{
    /// <summary>The preview JSON's and mail's <c>changeType</c>: <c>CREATE</c>, <c>UPDATE</c> or <c>DELETE</c> (Config's words).</summary>
    public static string ChangeType(this ChangeKind kind) => kind switch
    {
        ChangeKind.Created => "CREATE",
        ChangeKind.Deleted => "DELETE",
        _ => "UPDATE",
    };
}
