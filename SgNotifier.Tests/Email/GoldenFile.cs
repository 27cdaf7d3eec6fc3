using SgNotifier.Tests.Infrastructure;

namespace SgNotifier.Tests.Email;

/// <summary>
/// Compares output with <c>TestData/Email/*.expected.*</c>. With <c>SGNOTIFIER_UPDATE_GOLDEN=1</c> it rewrites the
/// files in the source tree instead (review the diff), and the comparison is skipped.
/// </summary>
internal static class GoldenFile
{
    public static void AssertMatches(string fileName, string actual)
    {
        if (Environment.GetEnvironmentVariable("SGNOTIFIER_UPDATE_GOLDEN") == "1")
        {
            var source = Path.Combine(RepositoryPaths.Root, "SgNotifier.Tests", "TestData", "Email", fileName);
            Directory.CreateDirectory(Path.GetDirectoryName(source)!);
            File.WriteAllText(source, actual);
            return;
        }

        var path = RepositoryPaths.TestData("Email", fileName);
        Assert.True(File.Exists(path), $"golden file {fileName} is missing; run with SGNOTIFIER_UPDATE_GOLDEN=1 to create it");
        Assert.Equal(File.ReadAllText(path), actual);
    }
}
