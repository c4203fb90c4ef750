using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Issue 27: a command SIGKILLed after pg_ctl started a postmaster and before the ledger recorded it leaves a server
/// nobody recorded; the next command takes it as the sandbox's own instead of failing on it, and `sandbox down` stops it.
/// </summary>
public sealed class LeftoverServerTests
{
    [Fact]
    public async Task AStartRunAgainAdoptsThePostmasterAKilledStartLeftAndDownStopsIt()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] });
        await sandbox.StopInstanceAsync("us");
        await StartUnrecordedAsync(sandbox, "us");

        var (exit, _, error) = await SandboxCommandLine.RunAsync("start", "us", "--dir", directory);

        Assert.True(exit == 0, error);
        Assert.True(LocalSandbox.Status(directory)!.Single(r => r.Region == "us").Postgres.Running);
        await AssertVerifyPassesAsync(directory);
        Assert.True(await LocalSandbox.DownAsync(directory));
        Assert.Empty(ServerProcesses.Mentioning(directory));
    }

    // The old primary, stopped and made a standby by a switchover's demotion, was started again before its token was
    // recorded: its pg_controldata says 'in archive recovery'. The switchover run again shuts it down and goes on.
    [Fact]
    public async Task ASwitchoverRunAgainShutsDownAnOldPrimaryRunningAsAStandbyBeforeMakingItsToken()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] });
        using var interrupt = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.SwitchoverAsync("us", new Steps(interrupt.Cancel), interrupt.Token));
        await sandbox.StopInstanceAsync("eu");
        await File.WriteAllTextAsync(Path.Combine(Layout(sandbox, "eu").Data, "standby.signal"), string.Empty);
        await StartUnrecordedAsync(sandbox, "eu");

        var (exit, _, error) = await SandboxCommandLine.RunAsync("switchover", "--to", "us", "--dir", directory);

        Assert.True(exit == 0, error);
        var after = LocalSandbox.Attach(directory).State;
        Assert.Equal("us", after.PrimaryRegion);
        Assert.Null(after.Change);
        await AssertVerifyPassesAsync(directory);
    }

    // The rejoin is frozen (SIGSTOP) while its pg_rewind runs, the rewind left to complete, and the rejoin then killed:
    // exactly "rewound, not started". A second pg_rewind on the rewound directory fails, so the rejoin run again must
    // start it without rewinding again.
    [Fact]
    public async Task ARejoinKilledOnceItsRewindCompletedStartsTheRegionWithoutRewindingAgain()
    {
        const int SignalKill = 9;
        const int SignalStop = 19;
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] });
        await sandbox.FailoverAsync("us");
        using (var rejoin = ChildProcess.Start(ChildProcess.Built("sandbox"), ["start", "eu", "--dir", directory]))
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (Rewinds(directory).Count == 0)
            {
                Assert.True(rejoin.IsRunning && DateTime.UtcNow < deadline, "the rejoin ran no pg_rewind");
                await Task.Delay(5);
            }

            rejoin.Signal(SignalStop);
            while (Rewinds(directory).Count > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "pg_rewind did not end");
                await Task.Delay(5);
            }

            rejoin.Signal(SignalKill);
            await rejoin.ExitCodeAsync(TimeSpan.FromSeconds(10));
        }

        var (exit, _, error) = await SandboxCommandLine.RunAsync("start", "eu", "--dir", directory);

        Assert.True(exit == 0, error);
        var after = LocalSandbox.Attach(directory).State;
        Assert.Empty(after.Fenced);
        Assert.True(LocalSandbox.Status(directory)!.All(r => r.Running));
        await AssertVerifyPassesAsync(directory);
    }

    private static IReadOnlyList<int> Rewinds(string directory) => [.. ServerProcesses.Mentioning("pg_rewind").Intersect(ServerProcesses.Mentioning(directory))];

    // What pg_ctl leaves once the command that ran it is killed: a postmaster on the region's data directory, in no ledger.
    private static async Task StartUnrecordedAsync(RunningSandbox sandbox, string region)
    {
        var layout = Layout(sandbox, region);
        await ServerCommand.RunAsync(
            ServerUser.Current().Command(ServerBinaries.Locate().Postgres("pg_ctl"), ["start", "-D", layout.Data, "-l", layout.PostgresLog, "-w"]),
            $"pg_ctl start in {region}",
            TimeSpan.FromSeconds(30),
            CancellationToken.None);
    }

    private static RegionLayout Layout(RunningSandbox sandbox, string region) => sandbox.State.Regions.Single(r => r.Name == region).Layout;

    private static async Task AssertVerifyPassesAsync(string directory)
    {
        var sandbox = LocalSandbox.Attach(directory);
        var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());
        Assert.True(report.Passed, string.Join("\n", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}")));
    }

    // Progress reported synchronously, so that the interruption lands right after the first step's report.
    private sealed class Steps(Action onStep) : IProgress<string>
    {
        public void Report(string value) => onStep();
    }
}
