using System.Globalization;
using System.Runtime.InteropServices;
using CliWrap;

namespace CrossClusterIac.Sandbox.Links;

/// <summary>Starts, stops and waits on the sandbox's link proxy, a daemon like the servers: it outlives <c>sandbox up</c> and <c>sandbox down</c> stops it.</summary>
internal static class LinkDaemonProcess
{
    /// <summary>The ledger's name for the daemon's location (it belongs to no region).</summary>
    public const string Location = "links";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    // Each socket completion runs on the runtime's event thread instead of being handed to the thread pool
    // (dotnet/runtime System.Net.Sockets SocketAsyncEngine.Unix.cs InlineSocketCompletionsEnabled reads this variable).
    // The proxy does only non-blocking work per chunk, and perf showed its CPU per verify run mostly in the kernel's
    // context switches between the event thread and the pool's workers.
    private static readonly Dictionary<string, string?> InlineSocketCompletions = new() { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" };
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Starts the daemon in a session of its own (<c>setsid</c>), so that a Ctrl+C meant for a later command does not
    /// reach it, with its output in <see cref="LinkDaemon.LogFileName"/>; records it and waits until it applies the state.
    /// </summary>
    /// <exception cref="SandboxException">It did not start in time.</exception>
    public static async Task StartAsync(ProcessLedger ledger)
    {
        var muxer = Muxer();
        var log = Path.Combine(ledger.Directory, LinkDaemon.LogFileName);
        var pidFile = Path.Combine(ledger.Directory, LinkDaemon.PidFileName);

        // Not cancellable half-way, as PgBouncer's start is not: a daemon forked but not yet recorded would be lost.
        await ServerCommand.RunAsync(
            Cli.Wrap("/bin/sh").WithArguments(
            [
                "-c", "log=$1; shift; exec setsid -f \"$@\" </dev/null >>\"$log\" 2>&1", "sh", log,
                muxer, "exec", typeof(LinkDaemon).Assembly.Location, "link-daemon", "--dir", ledger.Directory,
            ]).WithEnvironmentVariables(InlineSocketCompletions),
            "starting the link proxy", StartTimeout, CancellationToken.None, log);

        var deadline = DateTime.UtcNow + StartTimeout;
        ProcessIdentity? daemon;
        while ((daemon = ProcessIdentity.FromPidFile(pidFile, muxer)) is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"The link proxy did not start within {StartTimeout.TotalSeconds:0} s. See {log}.");
            }

            await Task.Delay(10);
        }

        ledger.Record(Location, ServerKind.LinkProxy, daemon);
    }

    /// <summary>Stops the daemon, if the ledger holds one that still runs.</summary>
    public static async Task StopAsync(ProcessLedger ledger)
    {
        if (ledger.Find(Location, ServerKind.LinkProxy) is { } daemon)
        {
            await daemon.TerminateAsync(TimeSpan.FromSeconds(5));
            ledger.Record(Location, ServerKind.LinkProxy, null);
        }
    }

    /// <summary>Whether the ledger's daemon runs.</summary>
    public static bool IsRunning(ProcessLedger ledger) => ledger.Find(Location, ServerKind.LinkProxy)?.IsRunning == true;

    /// <summary>
    /// Waits until the running daemon has applied the ledger's current state, so that a server just stopped is no
    /// longer reached through a link, one just started is, and a link just changed has its new character.
    /// </summary>
    /// <exception cref="SandboxException">The daemon runs but did not apply it within 5 s.</exception>
    public static void AwaitApplied(ProcessLedger ledger)
    {
        var revision = ledger.State.Revision;
        if (ledger.Find(Location, ServerKind.LinkProxy) is not { } daemon)
        {
            return;
        }

        var deadline = DateTime.UtcNow + ApplyTimeout;
        while (Applied(ledger.Directory) < revision)
        {
            if (!daemon.IsRunning)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"The link proxy (pid {daemon.Pid}) did not apply the sandbox's state within {ApplyTimeout.TotalSeconds:0} s. See {Path.Combine(ledger.Directory, LinkDaemon.LogFileName)}.");
            }

            Thread.Sleep(5);
        }
    }

    private static long Applied(string directory)
    {
        try
        {
            return long.TryParse(File.ReadAllText(Path.Combine(directory, LinkDaemon.AppliedFileName)), NumberStyles.None, CultureInfo.InvariantCulture, out var revision) ? revision : -1;
        }
        catch (IOException)
        {
            return -1;
        }
    }

    // The dotnet host that runs this very runtime: <root>/shared/Microsoft.NETCore.App/<version>/ is three levels below it.
    internal static string Muxer()
    {
        var muxer = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", "..", "dotnet"));
        return File.Exists(muxer)
            ? muxer
            : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { } host && File.Exists(host)
                ? host
                : throw new SandboxException($"The link proxy needs the dotnet host, which is neither at {muxer} nor in DOTNET_HOST_PATH.");
    }
}
