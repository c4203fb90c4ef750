using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text;

namespace CrossClusterIac.Tests.Verify;

/// <summary>The built verify executable run as a child process, so that it can be signalled like a user's shell would.</summary>
internal sealed class VerifyProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();

    private VerifyProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Append(_output, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_error, e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The apphost the project reference copies beside the tests, built from verify/ in the same configuration.</summary>
    public static string Executable => Path.Combine(AppContext.BaseDirectory, "verify");

    public int Id => _process.Id;

    public string Output => Read(_output);

    public string Error => Read(_error);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts verify with <paramref name="args"/>, as <paramref name="user"/> when given (through setpriv), with <paramref name="environment"/>'s variables set.</summary>
    public static VerifyProcess Start(IEnumerable<string> args, string? user = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = user is null
            ? new ProcessStartInfo(Executable)
            : new ProcessStartInfo("setpriv", ["--reuid", user, "--regid", user, "--clear-groups", "--", Executable]);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return new VerifyProcess(start);
    }

    /// <summary>Sends <paramref name="signal"/> to the child this test started.</summary>
    public void Signal(int signal) => Signals.Send(_process.Id, signal);

    /// <summary>Waits for the exit within <paramref name="limit"/>; fails the test if it does not come.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan limit)
    {
        using var deadline = new CancellationTokenSource(limit);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"verify did not exit within {limit.TotalSeconds} s; stderr: {Error}");
        }

        // WaitForExitAsync returns once the streams are drained too, so Output and Error are complete.
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    private static void Append(StringBuilder text, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (text)
        {
            text.AppendLine(line);
        }
    }

    private static string Read(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }
}

/// <summary>Signals to processes a test started or a sandbox it started runs.</summary>
internal static partial class Signals
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;
    public const int Continue = 18;
    public const int Stop = 19;

    public static void Send(int pid, int signal) => Assert.Equal(0, kill(pid, signal));

    /// <summary>Makes a FIFO, whose open(2) for reading blocks until a writer comes.</summary>
    public static void MakeFifo(string path) => Assert.Equal(0, mkfifo(path, Convert.ToUInt32("600", 8)));

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkfifo(string path, uint mode);
}
