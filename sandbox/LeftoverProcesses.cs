namespace CrossClusterIac.Sandbox;

/// <summary>
/// What a sandbox command killed part-way (SIGKILL, which no handler sees) leaves behind: a server it had started but
/// not yet recorded. The next command adopts it, as CNPG's instance manager, restarted in its pod, finds its
/// PostgreSQL by the data directory's lock file (pkg/management/postgres/instance.go CleanUpStalePid keeps a
/// postmaster.pid whose process runs).
/// </summary>
internal static class LeftoverProcesses
{
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
