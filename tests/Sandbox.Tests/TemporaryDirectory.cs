namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Paths for sandboxes that no other test uses.</summary>
public static class TemporaryDirectory
{
    /// <summary>A path that does not exist yet, under the system's temporary directory.</summary>
    public static string NewPath() => Path.Combine(Path.GetTempPath(), $"crosscluster-test-{Guid.NewGuid():N}");
}
