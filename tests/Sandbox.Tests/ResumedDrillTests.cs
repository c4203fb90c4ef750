using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Issue 27: a drill run again after an interruption completes, or ends in one line naming the endpoint and what to do,
/// never in an unhandled exception (exit 134).
/// </summary>
public sealed class ResumedDrillTests
{
    [Fact]
    public async Task ASwitchoverRunAgainWithItsTargetStoppedNamesTheEndpointAndCompletesOnceItIsStarted()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] });
        using var interrupt = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.SwitchoverAsync("us", new Steps(interrupt.Cancel), interrupt.Token));
        await sandbox.StopInstanceAsync("us");

        var (exit, _, error) = await SandboxCommandLine.RunAsync("switchover", "--to", "us", "--dir", directory);

        Assert.Equal(1, exit);
        var endpoint = sandbox.Outputs.Regions.Single(r => r.Name == "us").Instance;
        // Progress lines come before it; the diagnosis is one line of its own.
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("sandbox:", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.StartsWith($"sandbox: pg-us at {endpoint.Host}:{endpoint.Port} does not run", line, StringComparison.Ordinal);
        Assert.EndsWith("start it with `sandbox start us`, then run the same command again.", line, StringComparison.Ordinal);

        var (started, _, startError) = await SandboxCommandLine.RunAsync("start", "us", "--dir", directory);
        Assert.True(started == 0, startError);
        // It says what it waits for before it returns.
        Assert.Contains("Waiting until a login through the pooler of eu, us works (at most 30 s)", startError, StringComparison.Ordinal);
        var (rerun, _, rerunError) = await SandboxCommandLine.RunAsync("switchover", "--to", "us", "--dir", directory);

        Assert.True(rerun == 0, rerunError);
        Assert.Equal("us", LocalSandbox.Attach(directory).State.PrimaryRegion);
    }

    // A failover killed after pg_ctl promote and before the CHECKPOINT that follows it: the target's control file still
    // names the old timeline while the promotion's own checkpoint is spread over minutes (the rows written first leave
    // it buffers to write). Run again, the failover must still make that checkpoint: the old primary's rejoin reads the
    // target's timeline from it (pg_rewind), and on the old one it rewinds into a directory that cannot start.
    [Fact]
    public async Task AFailoverKilledBetweenThePromotionAndItsCheckpointLetsTheOldPrimaryRejoin()
    {
        var directory = TemporaryDirectory.NewPath();
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = directory, Regions = ["eu", "us"] });
        using (var connections = new Connections(sandbox))
        {
            await using var connection = await connections.OpenAsAdministratorAsync("eu");
            await using var fill = new Npgsql.NpgsqlCommand("CREATE TABLE filler AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 100000) AS g", connection);
            await fill.ExecuteNonQueryAsync();
        }

        using var interrupt = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.FailoverAsync("us", new Steps(interrupt.Cancel), interrupt.Token));
        var us = sandbox.State.Regions.Single(r => r.Name == "us").Layout;
        await ServerCommand.RunAsync(ServerUser.Current().Command(ServerBinaries.Locate().Postgres("pg_ctl"), ["promote", "-D", us.Data, "-w"]), "pg_ctl promote in us", TimeSpan.FromSeconds(30), CancellationToken.None);

        var (exit, output, error) = await SandboxCommandLine.RunAsync("failover", "--to", "us", "--dir", directory);
        var (rejoin, _, rejoinError) = await SandboxCommandLine.RunAsync("start", "eu", "--dir", directory);

        Assert.True(exit == 0, error);
        // The failover names the command just run, directory and all.
        Assert.Matches($"pg-eu is fenced: stopped, it starts again only rewound as a standby of pg-us, with `\\S*sandbox start eu --dir {System.Text.RegularExpressions.Regex.Escape(directory)}`\\.", output);
        Assert.True(rejoin == 0, rejoinError);
        Assert.Empty(LocalSandbox.Attach(directory).State.Fenced);
    }

    // Progress reported synchronously, so that the interruption lands right after the first step's report.
    private sealed class Steps(Action onStep) : IProgress<string>
    {
        public void Report(string value) => onStep();
    }
}
