using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Issue 27: every drill (switchover, failover, rotate of each tier, start, rejoin) SIGKILLed part-way completes when
/// run again at once, ends in its end state with verify passing, and never dies of an unhandled exception.
/// </summary>
public sealed class KillSweepTests
{
    // The fraction of an unkilled run's duration, counted from the command's start (its runtime's start included, about
    // a fifth of a run), at which each drill is killed: past its start-up, amid its recorded steps. The CI budget allows
    // one instant per drill, beside the targeted tests of the instants that failed (LeftoverServerTests, ResumedDrillTests);
    // `local-bench kill-sweep N` sweeps N instants of each.
    private const double Fraction = 0.6;

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
                outcomes.Add(await KillSweep.KillAndRerunAsync(executable, directory, drill, duration * Fraction));
            }
        }

        Assert.All(outcomes, o => Assert.True(o.Completed, $"{o.Command} killed after {o.KilledAfter.TotalMilliseconds:0} ms, run again: exit {o.RerunExitCode} {o.RerunMessage}; end state: {o.EndStateProblem ?? "reached"}; verify: {o.VerifyFailure ?? "passed"}"));
        Assert.Empty(ServerProcesses.Mentioning(directory));
    }
}
