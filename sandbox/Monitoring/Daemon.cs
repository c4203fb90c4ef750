using CliWrap;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// Starts a daemon of the sandbox's monitoring (the exporters' process, a region's Prometheus) as the link proxy is
/// started: in a session of its own (<c>setsid</c>), so that a Ctrl+C meant for a later command does not reach it, its
/// output in a log, recorded in the ledger by pid and start time once its pid file names it.
/// </summary>
internal static class Daemon
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Runs <paramref name="command"/>, whose first word is <paramref name="executable"/>; the shell that setsid forks
    /// writes its own pid to <paramref name="pidFile"/> and becomes the daemon (<c>exec</c>), so no program needs a pid file.
    /// </summary>
    /// <exception cref="SandboxException">It did not start in time.</exception>
    public static async Task StartAsync(ProcessLedger ledger, string location, ServerKind kind, string executable, IReadOnlyList<string> command, string pidFile, string log)
    {
        File.Delete(pidFile);
        const string Script = "log=$1; pid=$2; shift 2; exec setsid -f sh -c 'echo $$ > \"$0\"; exec \"$@\"' \"$pid\" \"$@\" </dev/null >>\"$log\" 2>&1";

        // Not cancellable half-way: a daemon forked but not yet recorded would be lost.
        await ServerCommand.RunAsync(Cli.Wrap("/bin/sh").WithArguments(["-c", Script, "sh", log, pidFile, .. command]), $"starting {kind}", StartTimeout, CancellationToken.None, log);

        var deadline = DateTime.UtcNow + StartTimeout;
        ProcessIdentity? daemon;
        while ((daemon = ProcessIdentity.FromPidFile(pidFile, executable)) is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"{kind} of {location} did not start within {StartTimeout.TotalSeconds:0} s. See {log}.");
            }

            await Task.Delay(10);
        }

        ledger.Record(location, kind, daemon);
    }

    /// <summary>Stops the daemon, if the ledger holds one that still runs.</summary>
    public static async Task StopAsync(ProcessLedger ledger, string location, ServerKind kind)
    {
        if (ledger.Find(location, kind) is { } daemon)
        {
            await daemon.TerminateAsync(TimeSpan.FromSeconds(5));
            ledger.Record(location, kind, null);
        }
    }
}
