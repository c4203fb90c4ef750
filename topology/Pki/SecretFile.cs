namespace CrossClusterIac.Topology.Pki;

/// <summary>Writes private keys and other secrets to disk readable by the owner only.</summary>
public static class SecretFile
{
    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/>, created with mode 0600 from the first
    /// byte, so the secret is never readable by others, not even briefly.
    /// </summary>
    public static void Write(string path, string content)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
        writer.Write(content);
    }
}
