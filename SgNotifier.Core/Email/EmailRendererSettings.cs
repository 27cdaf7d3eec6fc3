namespace SgNotifier.Core.Email;

/// <param name="TemplateDirectory">Folder whose <c>*.liquid</c> files replace the embedded templates of the same name.</param>
public sealed record EmailRendererSettings(string SubjectPrefix, string? TemplateDirectory, RoutingTagKeys TagKeys)
{
    public static EmailRendererSettings Default { get; } = new("[SG change]", null, RoutingTagKeys.Default);
}
