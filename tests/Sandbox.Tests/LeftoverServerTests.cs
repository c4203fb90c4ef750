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
