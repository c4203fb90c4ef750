namespace CrossClusterIac.Tests.Topology;

/// <summary>Finds files of the checkout (and the <c>shared</c> folder beside it) from the test's output directory.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string StackFile(string stack) => Path.Combine(Root, "infra", $"Pulumi.{stack}.yaml");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "CrossClusterIac.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No CrossClusterIac.sln above {AppContext.BaseDirectory}.");
    }
}
