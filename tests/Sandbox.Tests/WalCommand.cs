using System.Text;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Runs a server's <c>archive_command</c> or <c>restore_command</c> as PostgreSQL 15 does: <c>%f</c>, <c>%p</c> and
/// <c>%%</c> replaced (src/backend/postmaster/shell_archive.c shell_archive_file, src/common/archive.c BuildRestoreCommand), then <c>/bin/sh -c</c>.
/// </summary>
public static class WalCommand
{
    /// <summary>The command's exit code for file <paramref name="fileName"/> at <paramref name="path"/>.</summary>
    public static async Task<int> RunAsync(string command, string fileName, string path)
    {
        using var shell = ChildProcess.Start("/bin/sh", ["-c", Substitute(command, fileName, path)]);
        return await shell.ExitCodeAsync(TimeSpan.FromSeconds(30));
    }

    private static string Substitute(string command, string fileName, string path)
    {
        var result = new StringBuilder();
        for (var i = 0; i < command.Length; i++)
        {
            if (command[i] != '%' || i + 1 == command.Length)
            {
                result.Append(command[i]);
                continue;
            }

            result.Append(command[++i] switch
            {
                'f' => fileName,
                'p' => path,
                '%' => "%",
                var other => $"%{other}",
            });
        }

        return result.ToString();
    }
}
