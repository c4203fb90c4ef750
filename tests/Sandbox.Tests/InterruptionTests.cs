using System.Collections.Concurrent;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>SIGINT or SIGTERM at any phase stops every server and leaves no key behind (issue 10).</summary>
public sealed class InterruptionTests
{
    private const int SignalInterrupt = 2;
    private const int SignalTerminate = 15;

    [Theory]
    [InlineData("run", "Issuing certificates", SignalInterrupt)]
    [InlineData("run", "Creating the primary", SignalTerminate)]
    [InlineData("run", "Cloning the primary", SignalInterrupt)]
    [InlineData("run", "Running verify", SignalTerminate)]
    [InlineData("up", "Cloning the primary", SignalTerminate)]
    public async Task ASignalAtAnyPhaseStopsEveryServerAndRemovesEveryKey(string command, string phase, int signal)
    {
        var directory = TemporaryDirectory.NewPath();
        var lines = new ConcurrentQueue<string>();
        var reached = new TaskCompletionSource();
        using var sandbox = ChildProcess.Start(ChildProcess.Built("sandbox"), [command, "--dir", directory, "--regions", "eu,us"], line =>
        {
            lines.Enqueue(line);
            if (line.Contains(phase, StringComparison.Ordinal))
            {
                reached.TrySetResult();
            }
        });
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(120));

        sandbox.Signal(signal);
        var exitCode = await sandbox.ExitCodeAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(128 + signal, exitCode);
        Assert.Contains(lines, line => line.StartsWith("sandbox: interrupted; every server it had started is stopped", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.Empty(ServerProcesses.Mentioning(directory));
        Assert.False(Directory.Exists(directory), $"{directory} (with every private key) was left behind");
    }

    [Fact]
    public async Task CtrlCInATerminalWhileCloningSaysOnlyThatItWasInterrupted()
    {
        // A terminal's Ctrl+C signals the whole foreground process group: pg_basebackup (and a PgBouncer not yet
        // detached) gets SIGINT too and fails with exit 130, which must not be reported as a failed start pointing
        // at a log that is removed with the directory. The signal goes out while pg_basebackup runs in the group.
        var directory = TemporaryDirectory.NewPath();
        var lines = new ConcurrentQueue<string>();
        using var sandbox = ChildProcess.StartInOwnSession(ChildProcess.Built("sandbox"), ["run", "--dir", directory, "--regions", "eu,us"], lines.Enqueue);
        while (sandbox.IsRunning && !ServerProcesses.Mentioning("pg_basebackup").Intersect(ServerProcesses.Mentioning(directory)).Any())
        {
            await Task.Delay(10);
        }

        Assert.True(sandbox.IsRunning, $"the sandbox ended before it cloned: {string.Join(Environment.NewLine, lines)}");
        sandbox.SignalGroup(SignalInterrupt);
        var exitCode = await sandbox.ExitCodeAsync();

        Assert.Equal(128 + SignalInterrupt, exitCode);
        Assert.Single(lines, line => line.StartsWith("sandbox: ", StringComparison.Ordinal));
        Assert.Contains("sandbox: interrupted; every server it had started is stopped and its directory removed.", lines);
        Assert.DoesNotContain(lines, line => line.Contains("failed (exit", StringComparison.Ordinal));
        Assert.Empty(ServerProcesses.Mentioning(directory));
        Assert.False(Directory.Exists(directory), $"{directory} (with every private key) was left behind");
    }
}
