using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>A process this test started, signalled only by this test, and killed when disposed if still running.</summary>
public sealed partial class ChildProcess : IDisposable
{
    private readonly Process _process;

    private ChildProcess(Process process) => _process = process;

    /// <summary>Its pid.</summary>
    public int Pid => _process.Id;

    /// <summary>Whether it still runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>
    /// Starts <paramref name="executable"/>, in <paramref name="workingDirectory"/> when given, with
    /// <paramref name="environment"/> over this process's; every line it writes on standard error is passed to
    /// <paramref name="onErrorLine"/>, every line on standard output to <paramref name="onOutputLine"/>.
    /// </summary>
    public static ChildProcess Start(
        string executable,
        IEnumerable<string> arguments,
        Action<string>? onErrorLine = null,
        Action<string>? onOutputLine = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? string.Empty };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onErrorLine?.Invoke(e.Data);
            }
        };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onOutputLine?.Invoke(e.Data);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new ChildProcess(process);
    }

    /// <summary>
    /// Starts <paramref name="executable"/> in a session and process group of its own (<c>setsid</c>, which execs
    /// in place: a child of this process leads no group), so that <see cref="SignalGroup"/> reaches it and every
    /// process it starts in its group, as a terminal's Ctrl+C does, and never this test runner.
    /// </summary>
    public static ChildProcess StartInOwnSession(string executable, IEnumerable<string> arguments, Action<string>? onErrorLine = null) =>
        Start("setsid", [executable, .. arguments], onErrorLine);

    /// <summary>The built executable of a project this test project references.</summary>
    public static string Built(string name) => Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>Sends <paramref name="signal"/> (2 SIGINT, 15 SIGTERM, 19 SIGSTOP…).</summary>
    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    /// <summary>
    /// Sends <paramref name="signal"/> to its process group, which it must lead (<see cref="StartInOwnSession"/>):
    /// the process and every process it started that stayed in its group.
    /// </summary>
    public void SignalGroup(int signal) => Assert.Equal(0, kill(-_process.Id, signal));

    /// <summary>Waits for it to exit, for at most <paramref name="limit"/> when given, and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan? limit = null)
    {
        using var timeout = limit is { } given ? new CancellationTokenSource(given) : new CancellationTokenSource();
        await _process.WaitForExitAsync(timeout.Token);
        return _process.ExitCode;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
