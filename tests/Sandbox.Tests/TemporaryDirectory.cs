namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Paths for sandboxes that no other test uses.</summary>
public static class TemporaryDirectory
{
    /// <summary>A path that does not exist yet, under the system's temporary directory.</summary>
    public static string NewPath() => Path.Combine(Path.GetTempPath(), $"crosscluster-test-{Guid.NewGuid():N}");

    /// <summary>Removes the logs a failed start in <paramref name="directory"/> kept beside it (<c>FailedStart.KeptLogs</c>).</summary>
    public static void RemoveKeptLogs(string directory)
    {
        foreach (var kept in Directory.GetDirectories(Path.GetDirectoryName(directory)!, $"{Path.GetFileName(directory)}-failed-*"))
        {
            Directory.Delete(kept, recursive: true);
        }
    }
}
