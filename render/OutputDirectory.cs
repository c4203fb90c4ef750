using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Render;

/// <summary>
/// Writes render's files into a directory all at once: a new directory appears complete (the files are written
/// into a hidden sibling that is then renamed), and in an existing one each file is replaced by a rename, so a
/// reader never sees half a file and a failure leaves what was there.
/// </summary>
public static class OutputDirectory
{
    /// <summary>What is wrong with <paramref name="path"/> as an output directory, or <c>null</c> when render can write there.</summary>
    public static string? Problem(string path)
    {
        if (File.Exists(path))
        {
            return "is a file, not a directory; name a directory (render creates it if its parent exists) or remove the file.";
        }

        if (Directory.Exists(path))
        {
            return null;
        }

        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(path));
        if (parent is null)
        {
            return "is not a directory render can create; name a directory.";
        }

        if (File.Exists(parent))
        {
            return $"its parent {parent} is a file; name a directory inside a directory.";
        }

        return Directory.Exists(parent) ? null : $"its parent directory {parent} does not exist; create it first (render creates only the last directory of the path).";
    }

    /// <summary>Writes every file (name, content) into <paramref name="path"/>; returns the paths written.</summary>
    /// <param name="path">The output directory: created if missing, its parent must exist.</param>
    /// <param name="files">File names and contents.</param>
    /// <param name="secret">Whether the files hold private keys: written 0600 (and a new directory 0700).</param>
    public static IReadOnlyList<string> Write(string path, IReadOnlyList<(string Name, string Content)> files, bool secret)
    {
        path = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var suffix = $".render-{Environment.ProcessId}-{Guid.NewGuid():N}";
        if (!Directory.Exists(path))
        {
            var staging = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}{suffix}");
            try
            {
                CreateDirectory(staging, secret);
                foreach (var (name, content) in files)
                {
                    WriteFile(Path.Combine(staging, name), content, secret);
                }

                Directory.Move(staging, path);
            }
            catch
            {
                TryDelete(() => Directory.Delete(staging, recursive: true));
                throw;
            }
        }
        else
        {
            var staged = new List<(string Temporary, string Final)>();
            try
            {
                foreach (var (name, content) in files)
                {
                    var temporary = Path.Combine(path, $".{name}{suffix}");
                    staged.Add((temporary, Path.Combine(path, name)));
                    WriteFile(temporary, content, secret);
                }

                foreach (var (temporary, final) in staged)
                {
                    File.Move(temporary, final, overwrite: true);
                }
            }
            catch
            {
                foreach (var (temporary, _) in staged)
                {
                    TryDelete(() => File.Delete(temporary));
                }

                throw;
            }
        }

        return files.Select(f => Path.Combine(path, f.Name)).ToList();
    }

    private static void CreateDirectory(string path, bool secret)
    {
        if (secret && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        else
        {
            Directory.CreateDirectory(path);
        }
    }

    private static void WriteFile(string path, string content, bool secret)
    {
        if (secret)
        {
            SecretFile.Write(path, content);
        }
        else
        {
            File.WriteAllText(path, content);
        }
    }

    private static void TryDelete(Action delete)
    {
        try
        {
            delete();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is the one to report.
        }
    }
}
