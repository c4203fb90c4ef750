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
}
