namespace SgNotifier.Tests.Deploy;

/// <summary>The checkout the tests run from, found by walking up from the test binaries to <c>SgNotifier.sln</c>.</summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    public static string Path => Root.Value;

    public static string File(string relativePath) =>
        System.IO.Path.Combine(Path, relativePath.Replace('/', System.IO.Path.DirectorySeparatorChar));

    public static string ReadAllText(string relativePath) => System.IO.File.ReadAllText(File(relativePath));

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(System.IO.Path.Combine(directory.FullName, "SgNotifier.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No SgNotifier.sln above {AppContext.BaseDirectory}.");
    }
}
