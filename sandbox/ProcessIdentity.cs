using System.Globalization;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// A process the sandbox started, known by more than its pid: its start time in clock ticks after boot
/// (<c>/proc/PID/stat</c> field 22, proc(5)), which a later process given the same pid cannot share. The sandbox
/// records it when a server starts and signals the pid only while it still names that process.
/// </summary>
/// <param name="Pid">Process id.</param>
/// <param name="StartTicks">Start time, clock ticks after boot.</param>
public sealed record ProcessIdentity(int Pid, ulong StartTicks)
{
    private const int SignalHangup = 1;
    private const int SignalInterrupt = 2;
    private const int SignalQuit = 3;
    private const int SignalKill = 9;
    private const int SignalTerminate = 15;
    private const int SignalContinue = 18;
    private const int SignalStop = 19;

    /// <summary>The process that has <paramref name="pid"/> now, or <c>null</c> when none has (a zombie counts as gone).</summary>
    public static ProcessIdentity? Of(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // "pid (comm) state ppid …": comm may hold spaces and parentheses, so fields are counted after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return fields[0] == "Z" ? null : new ProcessIdentity(pid, ulong.Parse(fields[19], CultureInfo.InvariantCulture));
    }

    /// <summary>The process <paramref name="pid"/> if it runs <paramref name="executable"/>; <c>null</c> otherwise.</summary>
    public static ProcessIdentity? Of(int pid, string executable)
    {
        var identity = Of(pid);
        string? image;
        try
        {
            image = new FileInfo($"/proc/{pid}/exe").LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        return identity is not null && image is not null && image == Resolved(executable) ? identity : null;
    }

    /// <summary>The process named on the first line of <paramref name="pidFile"/> if it runs <paramref name="executable"/>; <c>null</c> otherwise.</summary>
    public static ProcessIdentity? FromPidFile(string pidFile, string executable)
    {
        try
        {
            return int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0
                ? Of(pid, executable)
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Whether this very process still runs.</summary>
    public bool IsRunning => Of(Pid) == this;

    /// <summary>Fast shutdown of a postmaster (SIGINT), then immediate (SIGQUIT), then SIGKILL; see PostgreSQL's "Shutting Down the Server".</summary>
    public Task StopPostmasterAsync(TimeSpan grace) => StopAsync([SignalInterrupt, SignalQuit, SignalKill], grace);

    /// <summary>Immediate shutdown of a postmaster (SIGQUIT), then SIGKILL: what a crash leaves.</summary>
    public Task CrashPostmasterAsync(TimeSpan grace) => StopAsync([SignalQuit, SignalKill], grace);

    /// <summary>SIGHUP: PgBouncer reloads its configuration and TLS files on it. Returns whether it was sent.</summary>
    public bool Hangup() => LibC.Signal(Pid, SignalHangup, () => IsRunning);

    /// <summary>SIGSTOP, a fault drill: the process holds its sockets and answers nothing until <see cref="Thaw"/>. Returns whether it was sent.</summary>
    public bool Freeze() => LibC.Signal(Pid, SignalStop, () => IsRunning);

    /// <summary>SIGCONT after <see cref="Freeze"/>. Returns whether it was sent.</summary>
    public bool Thaw() => LibC.Signal(Pid, SignalContinue, () => IsRunning);

    /// <summary>SIGTERM, then SIGKILL if it is still there after <paramref name="grace"/>.</summary>
    public Task TerminateAsync(TimeSpan grace) => StopAsync([SignalTerminate, SignalKill], grace);

    // /proc/PID/exe names the file the kernel ran, with every symbolic link resolved.
    private static string Resolved(string executable) => File.ResolveLinkTarget(executable, returnFinalTarget: true)?.FullName ?? Path.GetFullPath(executable);

    private async Task StopAsync(IReadOnlyList<int> signals, TimeSpan grace)
    {
        foreach (var signal in signals)
        {
            if (!LibC.Signal(Pid, signal, () => IsRunning))
            {
                return;
            }

            var deadline = DateTime.UtcNow + grace;
            while (IsRunning && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
    }
}
