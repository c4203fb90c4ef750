using System.Runtime.InteropServices;

namespace CrossClusterIac.Sandbox;

/// <summary>Stops daemons by pid: they are not children of this process, so only a signal reaches them.</summary>
public static partial class ProcessSignals
{
    private const int SignalTerminate = 15;
    private const int SignalKill = 9;

    /// <summary>Whether a process with this pid exists.</summary>
    public static bool IsRunning(int pid) => pid > 0 && kill(pid, 0) == 0;

    /// <summary>Asks the process to terminate, and kills it if it is still there after <paramref name="grace"/>.</summary>
    public static async Task TerminateAsync(int pid, TimeSpan grace)
    {
        if (!IsRunning(pid))
        {
            return;
        }

        _ = kill(pid, SignalTerminate);
        var deadline = DateTime.UtcNow + grace;
        while (IsRunning(pid) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        if (IsRunning(pid))
        {
            _ = kill(pid, SignalKill);
        }
    }

    /// <summary>Reads the pid on the first line of a pid file, or 0 when there is none.</summary>
    public static int ReadPidFile(string path)
    {
        try
        {
            var first = File.ReadLines(path).FirstOrDefault();
            return int.TryParse(first, out var pid) ? pid : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
