using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Issue 27: every drill (switchover, failover, rotate of each tier, start, rejoin) SIGKILLed part-way completes when
/// run again at once, ends in its end state with verify passing, and never dies of an unhandled exception. A few
/// instants per drill here; `local-bench kill-sweep N` sweeps N.
/// </summary>
public sealed class KillSweepTests
{
    // Fractions of an unkilled run's duration, counted from the command's start (its runtime's start included, about a
    // fifth of a run). The switchover and the rejoin, whose SIGKILLs found failures, are killed twice, in an early step
    // and a late one (the demotion, then the promotion and re-pointing; pg_rewind, then the start); every other drill
    // once, in its middle. The CI budget (about 90 s for this test) allows no more: `local-bench kill-sweep N` sweeps
    // N instants of each.
    private static readonly Dictionary<string, double[]> Fractions = new()
    {
        ["switchover"] = [0.4, 0.8],
        ["failover"] = [0.6],
        ["rotate leaf"] = [0.6],
        ["rotate intermediate"] = [0.6],
        ["rotate root"] = [0.5],
        ["start"] = [0.6],
        ["rejoin"] = [0.4, 0.8],
    };

    [Fact]
    public async Task EveryDrillKilledAtAnInstantCompletesWhenRunAgain()
    {
        var directory = TemporaryDirectory.NewPath();
        var executable = ChildProcess.Built("sandbox");
        var outcomes = new List<KillOutcome>();
        await using (var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] }))
        {
            foreach (var drill in KillSweep.Drills)
            {
                var duration = await KillSweep.MeasureAsync(executable, directory, drill);
                foreach (var fraction in Fractions[drill.Name])
                {
                    outcomes.Add(await KillSweep.KillAndRerunAsync(executable, directory, drill, duration * fraction));
                }
            }
        }

        Assert.All(outcomes, o => Assert.True(o.Completed, $"{o.Command} killed after {o.KilledAfter.TotalMilliseconds:0} ms, run again: exit {o.RerunExitCode} {o.RerunMessage}; end state: {o.EndStateProblem ?? "reached"}; verify: {o.VerifyFailure ?? "passed"}"));
        Assert.Empty(ServerProcesses.Mentioning(directory));
    }
}
