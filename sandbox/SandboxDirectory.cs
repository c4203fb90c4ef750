namespace CrossClusterIac.Sandbox;

/// <summary>
/// The sandbox's own directory. <c>up</c> creates it and refuses any path that already exists; every later command
/// acts only on a directory owned by the invoking user and closed to others, holding a state file of the same kind,
/// so that a directory someone else prepared (with a planted state or pid file) is never acted upon.
/// </summary>
internal static class SandboxDirectory
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // When the servers run as another account (the sandbox was started as root), that account must reach its own
    // region directory: others may traverse this one but never list or change it.
    private const UnixFileMode TraversableByServers = OwnerOnly | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private const UnixFileMode OpenToOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>Creates <paramref name="directory"/>, which must not exist yet.</summary>
    /// <exception cref="SandboxException">It exists, or its parent does not.</exception>
    public static void Create(string directory, ServerUser user)
    {
        bool created;
        try
        {
            created = LibC.CreateNewDirectory(directory, OwnerOnly);
        }
        catch (IOException e)
        {
            throw new SandboxException($"--dir {directory}: {e.Message}. Give a path whose parent directory exists.", SandboxException.UsageExitCode, e);
        }

        if (!created)
        {
            // A link is refused before anything looks through it: File.Exists would follow it to whatever directory
            // it names, and call someone else's planted sandbox.json a sandbox of ours.
            if (LibC.Ownership(directory) is { Kind: FileKind.SymbolicLink })
            {
                throw new SandboxException(
                    $"{directory} is a symbolic link: the sandbox creates its own directory and follows no link. Nothing was touched; check what the link is and remove it by hand, or give another --dir.",
                    SandboxException.UsageExitCode);
            }

            throw new SandboxException(
                File.Exists(Path.Combine(directory, SandboxState.FileName))
                    ? $"A sandbox already runs in {directory}. Stop it with `sandbox down --dir {directory}` or choose another --dir."
                    : $"--dir {directory} already exists; the sandbox creates its own directory. Choose a path that does not exist.",
                SandboxException.UsageExitCode);
        }

        if (user.Account is not null && !OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(directory, TraversableByServers);
        }
    }

    /// <summary>
    /// The ledger of the sandbox in <paramref name="directory"/>; <c>null</c> when there is no such directory, or it
    /// is an empty one (a start interrupted before it wrote anything), which is then removed.
    /// </summary>
    /// <exception cref="SandboxException">The directory is not one the sandbox would have created for this user.</exception>
    public static ProcessLedger? Open(string directory)
    {
        var owner = LibC.Ownership(directory);
        if (owner is null)
        {
            return null;
        }

        Trust(directory, owner, FileKind.Directory);
        var statePath = Path.Combine(directory, SandboxState.FileName);
        var state = LibC.Ownership(statePath);
        if (state is null)
        {
            if (Directory.EnumerateFileSystemEntries(directory).Any())
            {
                throw new SandboxException($"{directory} holds no {SandboxState.FileName}: it is not a sandbox. Nothing was touched.", SandboxException.UsageExitCode);
            }

            Directory.Delete(directory);
            return null;
        }

        Trust(statePath, state, FileKind.Regular);
        return new ProcessLedger(directory, SandboxState.Read(statePath));
    }

    private static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.Regular => "a regular file",
        FileKind.SymbolicLink => "a symbolic link",
        _ => "a special file",
    };

    private static void Trust(string path, FileOwnership ownership, FileKind kind)
    {
        var problem = ownership switch
        {
            { Kind: var k } when k != kind => $"is {Describe(ownership.Kind)}, not {Describe(kind)}",
            { UserId: var uid } when uid != LibC.EffectiveUserId => $"belongs to uid {uid}, not to you (uid {LibC.EffectiveUserId})",
            { Mode: var mode } when (mode & OpenToOthers) != 0 => $"is open to others (mode {Convert.ToString((int)mode, 8)})",
            _ => null,
        };
        if (problem is not null)
        {
            throw new SandboxException(
                $"{path} {problem}: the sandbox acts only on a directory it created for you. Nothing was touched; check what it is and remove it by hand.",
                SandboxException.UsageExitCode);
        }
    }
}
