using System.Collections.Concurrent;
using System.Diagnostics;
using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// A drill returns once every pooler serves again (what it promises is verify passing at once), within a bound, and
/// says which pooler does not when it gives up.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PoolersServeTests
{
    [Fact]
    public async Task TheWaitNamesAPoolerThatDoesNotServeWithinItsLimitAndReturnsOnceItServesAgain()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = Path.Combine(Path.GetTempPath(), $"crosscluster-serve-{Guid.NewGuid():N}"), Regions = ["eu", "us"] });
        var said = new ConcurrentQueue<string>();
        var progress = new Said(said.Enqueue);
        var postgres = LocalSandbox.Status(sandbox.Directory)!.Single(r => r.Region == "us").Postgres.Pid!.Value;

        // us's PostgreSQL frozen: its pooler takes logins, and no query through it is answered.
        Signals.Send(postgres, Signals.Stop);
        try
        {
            var waited = Stopwatch.StartNew();
            await sandbox.PoolersServeAsync(progress, TimeSpan.FromSeconds(3));

            Assert.InRange(waited.Elapsed, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(8));
            // What it waits for, said first, then what did not happen.
            Assert.Equal(2, said.Count);
            Assert.Equal("Waiting until a login through the pooler of eu, us works (at most 3 s)", said.First());
            var line = said.Last();
            Assert.StartsWith($"pg-us-pooler-rw (127.0.0.1:{sandbox.State.Regions.Single(r => r.Name == "us").PoolerPort}) does not serve after 3 s: ", line, StringComparison.Ordinal);
            Assert.EndsWith("; verify fails there until it does", line, StringComparison.Ordinal);

            // `sandbox start` promises logins, not processes: a pooler started in front of a frozen server exits 1.
            Assert.Equal(0, (await SandboxCommandAsync("stop", "us", "--server", "pgbouncer", "--dir", sandbox.Directory)).ExitCode);
            var (started, startOutput, startError) = await SandboxCommandAsync("start", "us", "--server", "pgbouncer", "--wait-seconds", "2", "--dir", sandbox.Directory);
            Assert.True(started == 1, $"exit {started}: {startOutput}{startError}");
            Assert.Contains("pg-us-pooler-rw (127.0.0.1:", startError, StringComparison.Ordinal);
            Assert.Contains("sandbox: PgBouncer in region us running, but 1 pooler did not serve within 2 s", startError, StringComparison.Ordinal);
            Assert.Empty(startOutput);

            said.Clear();
            // The sandbox as the command line left it: us's PgBouncer is another process now.
            var again = LocalSandbox.Attach(sandbox.Directory).PoolersServeAsync(progress);
            // Longer than one attempt (2 s), so that the wait has seen the pooler not serve before it does.
            await Task.Delay(TimeSpan.FromSeconds(3));
            Signals.Send(postgres, Signals.Continue);
            await again;

            var back = Assert.Single(said, l => !l.StartsWith("Waiting until", StringComparison.Ordinal));
            Assert.StartsWith("pg-us-pooler-rw serves again after ", back, StringComparison.Ordinal);
        }
        finally
        {
            Signals.Send(postgres, Signals.Continue);
        }

        // Served at once: the verify a drill promises.
        var report = await CrossClusterIac.Verify.VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());
        Assert.True(report.Passed);
    }

    private static async Task<(int ExitCode, string Output, string Error)> SandboxCommandAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await SandboxCli.InvokeAsync(args, output, error);
        return (exitCode, output.ToString(), error.ToString());
    }

    // Progress reported on the reporting thread, so that every line is there when the wait returns.
    private sealed class Said(Action<string> say) : IProgress<string>
    {
        public void Report(string value) => say(value);
    }
}
