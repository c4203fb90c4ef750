using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using Npgsql;

namespace CrossClusterIac.Tests.Verify;

/// <summary>
/// verify leaves no probe rows behind: not when interrupted, not when a check fails, and a killed run's rows are
/// removed by the next run without touching those of a run still going. Replay is paused on the replica while verify
/// runs, so that it waits there with its batch written: the moment it is interrupted.
/// </summary>
[Collection(SharedHealthySandbox.Name)]
public sealed class ProbeRowTests(HealthySandbox fixture)
{
    private const int Rows = 5000;

    // The batch, and the row of the write-visible check, for the one replica.
    private const int Written = Rows + 1;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(Signals.Terminate, 143, "SIGTERM")]
    [InlineData(Signals.Interrupt, 130, "SIGINT")]
    public async Task ASignalDuringARunRemovesItsProbeRowsAndExitsWithTheShellsCode(int signal, int exitCode, string name)
    {
        await WithReplayPausedAsync(async () =>
        {
            using var verify = StartVerify();
            await SandboxDatabase.UntilProbeRowsAsync(fixture.Sandbox, Written, Patience);

            verify.Signal(signal);

            Assert.Equal(exitCode, await verify.ExitCodeAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal($"verify: interrupted by {name}; probe rows removed", verify.Error.Trim().Split('\n')[^1]);
            Assert.DoesNotContain("   at ", verify.Error, StringComparison.Ordinal);
            Assert.Empty(await SandboxDatabase.ProbeRowsAsync(fixture.Sandbox));
        });
    }

    [Theory]
    [InlineData(Signals.Terminate, 143, "SIGTERM")]
    [InlineData(Signals.Interrupt, 130, "SIGINT")]
    public async Task ASignalWhileConnectionAttemptsArePendingExitsWithTheShellsCodeAndOneLine(int signal, int exitCode, string name)
    {
        // A stopped primary holds every attempt at it in its TLS handshake, the first network check's included; the
        // signal tears those attempts down, and what they throw then (the endpoint's failure, wrapping the
        // cancellation) must read as the interruption. Stopped for less than wal_sender_timeout, so the replica's
        // stream outlives it for the tests after this one.
        var postgres = LocalSandbox.Status(fixture.Sandbox.Directory)!.Single(r => r.Region == "eu").Postgres.Pid!.Value;
        Signals.Send(postgres, Signals.Stop);
        try
        {
            using var verify = StartVerify();
            var primary = fixture.Sandbox.Outputs.Regions.Single(r => r.Name == "eu").Instance.Port;
            var deadline = DateTime.UtcNow + Patience;
            while (!ConnectedTo(verify.Id, primary))
            {
                Assert.True(DateTime.UtcNow < deadline && !verify.HasExited, $"verify opened no connection to the primary: {verify.Error}");
                await Task.Delay(20);
            }

            verify.Signal(signal);

            Assert.Equal(exitCode, await verify.ExitCodeAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal($"verify: interrupted by {name}; no probe rows were written", verify.Error.Trim().Split('\n')[^1]);
            Assert.DoesNotContain("Unhandled", verify.Error, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", verify.Error, StringComparison.Ordinal);
        }
        finally
        {
            Signals.Send(postgres, Signals.Continue);
        }

        Assert.Empty(await SandboxDatabase.ProbeRowsAsync(fixture.Sandbox));
    }

    [Fact]
    public async Task AKilledRunsRowsAreRemovedByTheNextRun()
    {
        await WithReplayPausedAsync(async () =>
        {
            using var verify = StartVerify();
            await SandboxDatabase.UntilProbeRowsAsync(fixture.Sandbox, Written, Patience);
            verify.Signal(Signals.Kill);
            Assert.Equal(137, await verify.ExitCodeAsync(TimeSpan.FromSeconds(10)));
        });
        Assert.NotEmpty(await SandboxDatabase.ProbeRowsAsync(fixture.Sandbox));

        var report = await VerifyRunner.RunAsync(fixture.Sandbox.Outputs, fixture.Sandbox.VerifyOptions(new VerifyOptions { Rows = 10 }));

        Assert.True(report.Passed, string.Join("; ", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}")));
        Assert.Empty(await SandboxDatabase.ProbeRowsAsync(fixture.Sandbox));
    }

    [Fact]
    public async Task ARunKeepsTheRowsOfAnotherRunStillGoing()
    {
        await WithReplayPausedAsync(async () =>
        {
            using var other = StartVerify();
            var theirs = await SandboxDatabase.UntilProbeRowsAsync(fixture.Sandbox, Written, Patience);

            // This run fails (replay is paused) and removes its own rows, but not the other run's.
            await VerifyRunner.RunAsync(fixture.Sandbox.Outputs, fixture.Sandbox.VerifyOptions(new VerifyOptions { Rows = 10, Timeout = TimeSpan.FromSeconds(1) }));

            Assert.False(other.HasExited, other.Error);
            Assert.Equal(theirs.OrderBy(r => r.Key), (await SandboxDatabase.ProbeRowsAsync(fixture.Sandbox)).OrderBy(r => r.Key));
            other.Signal(Signals.Terminate);
            Assert.Equal(143, await other.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        });
        Assert.Empty(await SandboxDatabase.ProbeRowsAsync(fixture.Sandbox));
    }

    [Fact]
    public async Task AFailingRunLeavesNoProbeRows()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = Path.Combine(Path.GetTempPath(), $"crosscluster-probe-{Guid.NewGuid():N}") });
        await sandbox.StopInstanceAsync("us");

        // 5 s: at 3 s the batch's login through the primary's pooler once timed out on a loaded CI machine, before the batch was written.
        var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(new VerifyOptions { Timeout = TimeSpan.FromSeconds(5), Rows = 100 }));

        // The batch was written through the primary's pooler before the replica turned out to be down.
        var data = Assert.Single(report.Checks, c => c.Name == "data-arrives-whole");
        Assert.Equal(CheckStatus.Failed, data.Status);
        Assert.StartsWith("connecting as the application role at pg-us-rw", data.Detail, StringComparison.Ordinal);
        Assert.Empty(await SandboxDatabase.ProbeRowsAsync(sandbox));
    }

    // Whether process pid holds a TCP connection to port: one of its socket descriptors (/proc/PID/fd, socket:[INODE])
    // is a connection in /proc/net/tcp or tcp6 whose remote port is it (proc(5): rem_address, inode).
    private static bool ConnectedTo(int pid, int port)
    {
        var sockets = Directory.EnumerateFiles($"/proc/{pid}/fd")
            .Select(LinkTarget)
            .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target![8..^1])
            .ToHashSet(StringComparer.Ordinal);
        var remote = $":{port:X4}";
        return TcpTables
            .SelectMany(table => File.ReadLines(table).Skip(1))
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields[2].EndsWith(remote, StringComparison.Ordinal) && sockets.Contains(fields[9]));
    }

    private static readonly string[] TcpTables = ["/proc/net/tcp", "/proc/net/tcp6"];

    // A descriptor closed since the directory was read has no target any more.
    private static string? LinkTarget(string fd)
    {
        try
        {
            return new FileInfo(fd).LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
    }

    [Fact]
    public async Task ARunClosedWhileItsProbeClaimStillRunsOnThePrimaryClosesWithoutAnException()
    {
        // The claim's DELETE waits on a lock the test holds on the probe table (there since the fixture's run), so the
        // lease is mid-command when the run ends: as when every check gave up on a stuck primary before the claim did.
        await using var holder = await SandboxDatabase.OpenAsAdministratorAsync(fixture.Sandbox, fixture.Sandbox.State.PrimaryRegion, fixture.Sandbox.Outputs.Database);
        await using var transaction = await holder.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {CheckContext.ProbeTable} IN ACCESS EXCLUSIVE MODE", holder, transaction))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var context = new CheckContext(fixture.Sandbox.Outputs, fixture.Sandbox.VerifyOptions(new VerifyOptions { Timeout = TimeSpan.FromSeconds(3) }));
        var claim = context.EnsureProbeTableAsync();
        await UntilWaitingOnALockAsync(holder);

        await context.DisposeAsync();

        await transaction.RollbackAsync();
        await Assert.ThrowsAnyAsync<Exception>(() => claim);

        // The lease's session ended, and with it the run's locks (its backend exits once it sees the close).
        await UntilAsync(holder, "SELECT count(*) = 0 FROM pg_locks WHERE locktype = 'advisory'", "the run's advisory locks were still held");
    }

    // pg_locks, not pg_stat_activity, whose rows a transaction reads once (PostgreSQL docs, "Statistics Functions":
    // pgstat_clear_snapshot) and the holder is inside one.
    private static Task UntilWaitingOnALockAsync(NpgsqlConnection holder) =>
        UntilAsync(holder, "SELECT count(*) > 0 FROM pg_locks WHERE NOT granted", "no session waited on the probe table's lock");

    private static async Task UntilAsync(NpgsqlConnection connection, string condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await ScalarAsync<bool>(connection, condition))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{failure} after {Patience.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private VerifyProcess StartVerify() =>
        VerifyProcess.Start(["--outputs", fixture.Sandbox.OutputsPath, "--rows", Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), "--timeout", "60"]);

    private async Task WithReplayPausedAsync(Func<Task> body)
    {
        await SandboxDatabase.PauseReplayAsync(fixture.Sandbox, "us", pause: true);
        try
        {
            await body();
        }
        finally
        {
            await SandboxDatabase.PauseReplayAsync(fixture.Sandbox, "us", pause: false);
        }
    }
}
