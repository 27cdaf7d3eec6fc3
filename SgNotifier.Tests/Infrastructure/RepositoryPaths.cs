namespace SgNotifier.Tests.Infrastructure;

/// <summary>Locates the repository (the folder holding SgNotifier.sln) and the files tests read from it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    public static string Root => LazyRoot.Value;

    /// <summary>Test payloads copied into the test output (<c>TestData/…</c>).</summary>
    public static string TestData(params string[] parts) =>
        Path.Combine([AppContext.BaseDirectory, "TestData", .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SgNotifier.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("SgNotifier.sln not found above " + AppContext.BaseDirectory);
    }
}
