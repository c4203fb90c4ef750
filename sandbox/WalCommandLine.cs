using System.Text;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// An <c>archive_command</c> or <c>restore_command</c> made into the shell line PostgreSQL 15 runs: <c>%f</c>, <c>%p</c>
/// and <c>%%</c> replaced, any other <c>%</c> kept (src/backend/postmaster/shell_archive.c shell_archive_file,
/// src/common/archive.c BuildRestoreCommand), for <c>/bin/sh -c</c> in the data directory.
/// </summary>
public static class WalCommandLine
{
    /// <summary>The line for file <paramref name="fileName"/> at <paramref name="path"/>.</summary>
    public static string Expand(string command, string fileName, string path)
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
