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

    /// <summary>Starts <paramref name="executable"/>; every line it writes on standard error is passed to <paramref name="onErrorLine"/>.</summary>
    public static ChildProcess Start(string executable, IEnumerable<string> arguments, Action<string>? onErrorLine = null)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                onErrorLine?.Invoke(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return new ChildProcess(process);
    }

    /// <summary>The built executable of a project this test project references.</summary>
    public static string Built(string name) => Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>Sends <paramref name="signal"/> (2 SIGINT, 15 SIGTERM, 19 SIGSTOP…).</summary>
    public void Signal(int signal) => Assert.Equal(0, kill(_process.Id, signal));

    /// <summary>Waits for it to exit and returns its exit code.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
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
