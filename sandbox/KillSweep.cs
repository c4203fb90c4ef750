using System.Collections.Concurrent;
using System.Diagnostics;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Drills killed with SIGKILL part-way and run again at once, on a running two-region sandbox: each drill runs as the
/// built <c>sandbox</c> executable, is killed at a fraction of an unkilled run's duration, and the same command is run
/// again unkilled; then the sandbox must be in the drill's end state and verify must pass. For tests and the bench.
/// </summary>
public static class KillSweep
{
    private static readonly TimeSpan RerunLimit = TimeSpan.FromSeconds(180);

    /// <summary>Every drill swept: switchover, failover, rotate of each tier, start of a stopped region, and rejoin.</summary>
    public static IReadOnlyList<KillDrill> Drills { get; } =
    [
        new("switchover", s => ["switchover", "--to", Other(s)], (_, _) => Task.CompletedTask, (before, after) => PrimaryChanged(before, after.State)),
        new("failover", s => ["failover", "--to", Other(s)], (_, _) => Task.CompletedTask, (before, after) => PrimaryChanged(before, after.State) ?? (after.State.Fenced.Contains(before.PrimaryRegion) ? null : $"pg-{before.PrimaryRegion} is not fenced")),
        Rotation(CertificateTier.Leaf),
        Rotation(CertificateTier.Intermediate),
        Rotation(CertificateTier.Root),
        new("start", s => ["start", Other(s)], (sandbox, _) => StopAsync(sandbox, Other(sandbox.State)), (_, after) => AllRun(after)),
        new("rejoin", s => ["start", Other(s)], (sandbox, token) => sandbox.FailoverAsync(Other(sandbox.State), cancellationToken: token), (_, after) => AllRun(after)),
    ];

    /// <summary>
    /// Prepares <paramref name="drill"/> on the sandbox in <paramref name="directory"/> and runs it unkilled through
    /// <paramref name="executable"/>; returns how long the command took from its start to its exit, which must be 0.
    /// </summary>
    /// <exception cref="SandboxException">The unkilled run failed: the sweep would measure nothing.</exception>
    public static async Task<TimeSpan> MeasureAsync(string executable, string directory, KillDrill drill, CancellationToken cancellationToken = default)
    {
        var command = await PrepareAsync(directory, drill, cancellationToken);
        var clock = Stopwatch.StartNew();
        var (exitCode, message, _) = await RunAsync(executable, command, null, cancellationToken);
        return exitCode == 0
            ? clock.Elapsed
            : throw new SandboxException($"`sandbox {string.Join(' ', command)}` unkilled exited {exitCode}: {message}");
    }

    /// <summary>
    /// Prepares <paramref name="drill"/>, starts it, SIGKILLs it <paramref name="killAfter"/> after its start, runs the
    /// same command again at once and judges the sandbox after it.
    /// </summary>
    public static async Task<KillOutcome> KillAndRerunAsync(string executable, string directory, KillDrill drill, TimeSpan killAfter, CancellationToken cancellationToken = default)
    {
        var command = await PrepareAsync(directory, drill, cancellationToken);
        var before = LocalSandbox.Attach(directory).State;
        var killed = await RunAsync(executable, command, killAfter, cancellationToken);
        var rerun = await RunAsync(executable, command, null, cancellationToken);
        var sandbox = LocalSandbox.Attach(directory);
        var problem = drill.EndStateProblem(before, sandbox);
        string? verifyFailure = null;
        if (problem is null)
        {
            // A failover leaves the old primary fenced and down, which verify reports; it is judged once rejoined.
            if (sandbox.State.Fenced.Count > 0 && drill.Name == "failover")
            {
                await RejoinAsync(sandbox, cancellationToken);
                sandbox = LocalSandbox.Attach(directory);
            }

            var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(), cancellationToken: cancellationToken);
            verifyFailure = report.Passed ? null : string.Join("; ", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}"));
        }

        return new KillOutcome(drill.Name, string.Join(' ', command), killAfter, killed.ExitCode, rerun.ExitCode, rerun.Message, rerun.Unhandled, problem, verifyFailure);
    }

    // The drill's precondition, set up unkilled in this process (a failover first leaves its fenced region rejoined);
    // returns the command to sweep.
    private static async Task<string[]> PrepareAsync(string directory, KillDrill drill, CancellationToken cancellationToken)
    {
        var sandbox = LocalSandbox.Attach(directory);
        if (drill.Name != "rejoin")
        {
            await RejoinAsync(sandbox, cancellationToken);
        }

        await drill.Prepare(LocalSandbox.Attach(directory), cancellationToken);
        return [.. drill.Command(LocalSandbox.Attach(directory).State), "--dir", directory];
    }

    private static async Task RejoinAsync(RunningSandbox sandbox, CancellationToken cancellationToken)
    {
        foreach (var fenced in sandbox.State.Fenced.ToList())
        {
            await sandbox.StartInstanceAsync(fenced, cancellationToken: cancellationToken);
        }
    }

    private static async Task StopAsync(RunningSandbox sandbox, string region)
    {
        await sandbox.StopPoolerAsync(region);
        await sandbox.StopInstanceAsync(region);
    }

    // Runs the command, SIGKILLed after killAfter when given (only the sandbox process: what it started goes on, as
    // after a kill -9 of it); returns its exit code, its last "sandbox:" line and whether it died of an unhandled exception.
    private static async Task<(int ExitCode, string? Message, bool Unhandled)> RunAsync(string executable, string[] command, TimeSpan? killAfter, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(executable) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in command)
        {
            info.ArgumentList.Add(argument);
        }

        var errors = new ConcurrentQueue<string>();
        using var process = new Process { StartInfo = info };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                errors.Enqueue(e.Data);
            }
        };
        process.Start();
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            if (killAfter is { } after)
            {
                using var kill = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                kill.CancelAfter(after);
                try
                {
                    await process.WaitForExitAsync(kill.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    process.Kill(entireProcessTree: false);
                }
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(RerunLimit);
            await process.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: false);
            }
        }

        var lines = errors.ToList();
        var unhandled = process.ExitCode == 134 || lines.Any(l => l.StartsWith("Unhandled exception", StringComparison.Ordinal));
        return (process.ExitCode, lines.LastOrDefault(l => l.StartsWith("sandbox:", StringComparison.Ordinal)) ?? (unhandled ? lines.FirstOrDefault() : null), unhandled);
    }

    private static KillDrill Rotation(CertificateTier tier) => new(
        $"rotate {tier.ToString().ToLowerInvariant()}",
        _ => ["rotate", "--tier", tier.ToString().ToLowerInvariant()],
        (_, _) => Task.CompletedTask,
        (before, after) => after.State.Pki.RootRotation is { } phase
            ? $"a root rotation is still under way (phase {phase})"
            : tier == CertificateTier.Root && after.State.Pki.RootGeneration <= before.Pki.RootGeneration ? $"the root is still generation {after.State.Pki.RootGeneration}" : null);

    private static string Other(SandboxState state) => state.Regions.First(r => r.Name != state.PrimaryRegion).Name;

    private static string? PrimaryChanged(SandboxState before, SandboxState after) =>
        after.Change is { } change ? $"a change to {change.To} is still under way"
        : after.PrimaryRegion == before.PrimaryRegion ? $"pg-{after.PrimaryRegion} is still the primary"
        : null;

    private static string? AllRun(RunningSandbox after) =>
        after.State.Fenced.Count > 0 ? $"still fenced: {string.Join(", ", after.State.Fenced)}"
        : LocalSandbox.Status(after.Directory)!.Where(r => !r.Running).Select(r => r.Region).ToList() is { Count: > 0 } down ? $"not running: {string.Join(", ", down)}"
        : null;
}

/// <summary>A drill the sweep kills.</summary>
/// <param name="Name">Its name in reports.</param>
/// <param name="Command">The <c>sandbox</c> arguments for it, from the state before it.</param>
/// <param name="Prepare">Brings the sandbox to its precondition (a region stopped, a failover done), unkilled.</param>
/// <param name="EndStateProblem">From the state before and the sandbox after the rerun: what is not the drill's end state, or <c>null</c>.</param>
public sealed record KillDrill(string Name, Func<SandboxState, string[]> Command, Func<RunningSandbox, CancellationToken, Task> Prepare, Func<SandboxState, RunningSandbox, string?> EndStateProblem);

/// <summary>One kill and rerun.</summary>
/// <param name="Drill">The drill.</param>
/// <param name="Command">The command killed and run again.</param>
/// <param name="KilledAfter">When the kill was sent, after the command's start.</param>
/// <param name="KilledExitCode">The killed run's exit code (137 when the kill landed; otherwise it ended before).</param>
/// <param name="RerunExitCode">The rerun's exit code.</param>
/// <param name="RerunMessage">The rerun's last <c>sandbox:</c> line, if any.</param>
/// <param name="Unhandled">Whether the rerun died of an unhandled exception.</param>
/// <param name="EndStateProblem">What is not the drill's end state after the rerun, or <c>null</c>.</param>
/// <param name="VerifyFailure">verify's failed checks afterwards, or <c>null</c> when it passed (or was not run).</param>
public sealed record KillOutcome(string Drill, string Command, TimeSpan KilledAfter, int KilledExitCode, int RerunExitCode, string? RerunMessage, bool Unhandled, string? EndStateProblem, string? VerifyFailure)
{
    /// <summary>Whether the kill landed before the command ended on its own.</summary>
    public bool KillLanded => KilledExitCode == 137;

    /// <summary>
    /// Whether the drill is complete after the rerun: the end state, verify passing, and the rerun exited 0 or, for a
    /// switchover or failover the killed run had already completed (killed while it waited for the poolers), refused
    /// with exit 2 saying the target is already the primary region.
    /// </summary>
    public bool Completed => (RerunExitCode == 0 || (RerunExitCode == SandboxException.UsageExitCode && RerunMessage?.Contains("is already the primary region", StringComparison.Ordinal) == true))
        && EndStateProblem is null && VerifyFailure is null;
}
