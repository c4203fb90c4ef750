namespace CrossClusterIac.Topology.Pki;

/// <summary>Writes private keys and other secrets to disk readable by the owner only.</summary>
public static class SecretFile
{
    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/>, created with mode 0600 from the first
    /// byte, so the secret is never readable by others, not even briefly. The file is written beside the target and
    /// renamed over it, so a server reloading its certificates (or a client re-reading them) sees the old content or
    /// the new, never half of either.
    /// </summary>
    public static void Write(string path, string content)
    {
        var next = $"{path}.{Environment.ProcessId}.next";
        File.Delete(next);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(next, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), options))
        {
            writer.Write(content);
        }

        File.Move(next, path, overwrite: true);
    }
}
