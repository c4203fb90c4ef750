namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Finds processes by what their command line mentions, through /proc.</summary>
public static class ServerProcesses
{
    /// <summary>Pids of processes whose command line contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> Mentioning(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0, Directory: d))
            .Where(p => p.Pid > 0 && CommandLine(p.Directory).Contains(text, StringComparison.Ordinal))
            .Select(p => p.Pid)
            .ToList();

    private static string CommandLine(string processDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(processDirectory, "cmdline")).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
