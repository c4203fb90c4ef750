namespace CrossClusterIac.Sandbox;

/// <summary>
/// What a sandbox command killed part-way (SIGKILL, which no handler sees) leaves behind: a server it had started but
/// not yet recorded, and tools that outlive it on a region's data directory. The next command adopts the one, as
/// CNPG's instance manager, restarted in its pod, finds its PostgreSQL by the data directory's lock file
/// (pkg/management/postgres/instance.go CleanUpStalePid keeps a postmaster.pid whose process runs), and waits for the others.
/// </summary>
internal static class LeftoverProcesses
{
    // pg_rewind's single-user crash recovery and pg_basebackup take seconds here; this bounds a wait for a stuck one.
    private static readonly TimeSpan ToolWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The postmaster <paramref name="layout"/>'s <c>postmaster.pid</c> names, when it runs PostgreSQL in that very
    /// data directory (the postmaster works in it: src/backend/utils/init/miscinit.c ChangeToDataDir), so that a pid
    /// reused by another process, or another region's postmaster, is never taken for it.
    /// </summary>
    public static ProcessIdentity? Postmaster(RegionLayout layout, ServerBinaries binaries) =>
        ProcessIdentity.FromPidFile(layout.PostmasterPid, binaries.Postgres("postgres")) is { } postmaster && WorkingDirectory(postmaster.Pid) == Path.GetFullPath(layout.Data)
            ? postmaster
            : null;

    /// <summary>The PgBouncer <paramref name="layout"/>'s pid file names, when it runs with that region's configuration.</summary>
    public static ProcessIdentity? PgBouncer(RegionLayout layout, ServerBinaries binaries) =>
        ProcessIdentity.FromPidFile(layout.PgBouncerPid, binaries.PgBouncer) is { } daemon && Arguments(daemon.Pid).Contains(Path.GetFullPath(layout.Controller.PgBouncerIni))
            ? daemon
            : null;

    /// <summary>
    /// Waits until no <c>pg_rewind</c>, <c>pg_basebackup</c> or single-user <c>postgres</c> works on <paramref name="data"/>:
    /// a killed command's tool goes on without it, and another one started on the same directory meanwhile fails on its
    /// lock or leaves a mix of both. Nothing is signalled: what the sandbox did not record, it only waits for.
    /// </summary>
    /// <exception cref="SandboxException">One still works on it after the wait, named by pid.</exception>
    public static async Task WaitForToolsAsync(string data, ServerBinaries binaries, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + ToolWait;
        while (Tools(Path.GetFullPath(data), binaries).Take(1).ToList() is [var tool])
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"{tool.Name} (pid {tool.Pid}), left by an earlier sandbox command, still works on {data} after {ToolWait.TotalSeconds:0} s; wait for it to end, then run the same command again.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static IEnumerable<(int Pid, string Name)> Tools(string data, ServerBinaries binaries)
    {
        string[] tools = [binaries.Postgres("pg_rewind"), binaries.Postgres("pg_basebackup"), binaries.Postgres("postgres")];
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid)
                || tools.FirstOrDefault(t => ProcessIdentity.Of(pid, t) is not null) is not { } tool)
            {
                continue;
            }

            var arguments = Arguments(pid);
            var single = Path.GetFileName(tool) != "postgres" || arguments.Contains("--single");
            if (single && arguments.Contains(data))
            {
                yield return (pid, Path.GetFileName(tool));
            }
        }
    }

    private static string? WorkingDirectory(int pid)
    {
        try
        {
            return new DirectoryInfo($"/proc/{pid}/cwd").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string[] Arguments(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
