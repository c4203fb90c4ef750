using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Runs a server's <c>archive_command</c> or <c>restore_command</c> as PostgreSQL 15 does (<see cref="WalCommandLine"/>), then <c>/bin/sh -c</c>.
/// </summary>
public static class WalCommand
{
    /// <summary>The command's exit code for file <paramref name="fileName"/> at <paramref name="path"/>.</summary>
    public static async Task<int> RunAsync(string command, string fileName, string path)
    {
        using var shell = ChildProcess.Start("/bin/sh", ["-c", WalCommandLine.Expand(command, fileName, path)]);
        return await shell.ExitCodeAsync(TimeSpan.FromSeconds(30));
    }
}
