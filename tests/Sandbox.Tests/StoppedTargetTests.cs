using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// Issue 27: a drill run again whose server is down ends in one line naming the endpoint and what to do, not in an
/// unhandled Npgsql exception (exit 134), and completes once that is done.
/// </summary>
public sealed class StoppedTargetTests
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

        Assert.Equal(0, (await SandboxCommandLine.RunAsync("start", "us", "--dir", directory)).ExitCode);
        var (rerun, _, rerunError) = await SandboxCommandLine.RunAsync("switchover", "--to", "us", "--dir", directory);

        Assert.True(rerun == 0, rerunError);
        Assert.Equal("us", LocalSandbox.Attach(directory).State.PrimaryRegion);
    }

    // Progress reported synchronously, so that the interruption lands right after the first step's report.
    private sealed class Steps(Action onStep) : IProgress<string>
    {
        public void Report(string value) => onStep();
    }
}
