using CrossClusterIac.Sandbox;
using CrossClusterIac.Tests.Sandbox.Links;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Issue 11: switchover and failover on real servers, as CNPG's distributed topology does them.</summary>
public sealed class SwitchoverTests
{
    [Fact]
    public async Task ASwitchoverUnderAContinuousWriterLosesNoAcknowledgedRowAndLeavesOnePrimaryAndSwitchesBack()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"] });
        using var connections = new Connections(sandbox);
        var writer = await ContinuousWriter.StartAsync(sandbox);
        await using (writer)
        {
            await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(20));
            var there = await sandbox.SwitchoverAsync("us");
            await writer.UntilAcknowledgedAsync("us", 50, TimeSpan.FromSeconds(20));

            Assert.Equal(("eu", "us"), (there.From, there.To));
            Assert.NotNull(PromotionToken.Parse(there.PromotionToken!));
            Assert.Equal(2, there.Timeline);
            await AssertOnePrimaryAsync(connections, "us");
            await AcknowledgedRows.AssertEverywhereAsync(connections, writer.Rows);
            var report = await AssertVerifyPassesAsync(sandbox);
            Assert.All(report.Checks.Where(c => c.Name == "recovery-role"), c => Assert.EndsWith("; timeline 2", c.Detail, StringComparison.Ordinal));
            Assert.Contains(report.Checks, c => c is { Name: "recovery-role", Region: "us" } && c.Detail.StartsWith("pg-us is not in recovery, as a primary must be", StringComparison.Ordinal));

            var back = await sandbox.SwitchoverAsync("eu");
            await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(20));

            Assert.Equal(3, back.Timeline);
        }

        await AssertOnePrimaryAsync(connections, "eu");
        await AcknowledgedRows.AssertEverywhereAsync(connections, writer.Rows);
        await AssertVerifyPassesAsync(sandbox);
    }

    [Fact]
    public async Task AnApplicationWritingThroughPgWriterFollowsASwitchoverAndAFailoverWithoutChangingItsConnectionString()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"] });
        using var connections = new Connections(sandbox);
        var endpoint = sandbox.Outputs.Writer;
        var writer = await ContinuousWriter.StartAsync(sandbox, throughWriter: true);
        IReadOnlyList<string> fenced;
        await using (writer)
        {
            await writer.UntilAcknowledgedAsync("eu", 20, TimeSpan.FromSeconds(20));
            await sandbox.SwitchoverAsync("us");
            await writer.UntilAcknowledgedAsync("us", 20, TimeSpan.FromSeconds(20));
            fenced = (await sandbox.FailoverAsync("ap")).Fenced;
            await writer.UntilAcknowledgedAsync("ap", 20, TimeSpan.FromSeconds(20));
        }

        // One name, one port, from the first row to the last: the primary moved twice underneath it.
        Assert.Equal(endpoint, sandbox.Outputs.Writer);
        Assert.Equal(["eu", "us", "ap"], writer.Rows.Select(r => r.Region).Distinct());

        // The failover fenced us (and eu, had it replayed past ap's fork); started again, each is rewound into a standby
        // of ap. What ap took is everywhere (what us took after ap last heard from it is a failover's loss, measured by
        // the failover tests).
        Assert.Contains("us", fenced);
        foreach (var region in fenced)
        {
            await sandbox.StartInstanceAsync(region);
        }

        await AcknowledgedRows.AssertEverywhereAsync(connections, [.. writer.Rows.Where(r => r.Region == "ap")]);
        var report = await AssertVerifyPassesAsync(sandbox);
        Assert.Contains(report.Checks, c => c is { Name: "writer-endpoint", Region: "ap" } && c.Detail.Contains("reached pg-ap through pg-writer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AForgedOrStaleTokenIsRefusedAsCnpgRefusesItAndTheStandbyStaysAStandby()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        using var connections = new Connections(sandbox);
        var first = PromotionToken.Parse((await sandbox.SwitchoverAsync("us")).PromotionToken!);

        // eu is now a standby on timeline 2: the token it gave on timeline 1 is stale; CNPG's own forgery (REDO 0/0)
        // on its current timeline points behind its restartpoint; another system's token is not its history at all.
        var refusals = new Dictionary<string, string>
        {
            ["stale"] = first.Encode(),
            ["forged REDO 0/0"] = (first with { LatestCheckpointTimelineId = "2", LatestCheckpointRedoLocation = "0/0" }).Encode(),
            ["another system"] = (first with { DatabaseSystemIdentifier = "1" }).Encode(),
        };
        foreach (var (name, token) in refusals)
        {
            var refused = await Assert.ThrowsAsync<SandboxException>(() => sandbox.PromoteWithTokenAsync("eu", token));
            Assert.Contains("refuses the promotion token", refused.Message, StringComparison.Ordinal);
            Assert.True(await InRecoveryAsync(connections, "eu"), $"eu was promoted with the {name} token");
        }

        await AssertOnePrimaryAsync(connections, "us");
        await AssertVerifyPassesAsync(sandbox);
    }

    [Fact]
    public async Task AFailoverSaysWhatMayBeLostFencesTheOldPrimaryInTheOutputsAndRewindsItIntoAStandby()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        using var connections = new Connections(sandbox);
        var writer = await ContinuousWriter.StartAsync(sandbox);
        PrimaryChangeReport report;
        await using (writer)
        {
            await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(20));
            report = await sandbox.FailoverAsync("us");
            await writer.UntilAcknowledgedAsync("us", 50, TimeSpan.FromSeconds(20));
        }

        Assert.Null(report.PromotionToken);
        Assert.NotNull(report.BytesMaybeLost);
        Assert.NotNull(report.CommitsLost);
        Assert.Equal(["eu"], report.Fenced);

        // Fenced: the old primary does not run, so it cannot take a write; started, it is rewound into a standby.
        Assert.False(LocalSandbox.Status(sandbox.Directory)!.Single(r => r.Region == "eu").Postgres.Running);

        // The outputs say so, for verify to name it with the command that rejoins it, until it is rejoined.
        Assert.Equal([true, null], sandbox.Outputs.Regions.Select(r => r.Fenced));
        await sandbox.StartInstanceAsync("eu");
        Assert.All(sandbox.Outputs.Regions, r => Assert.Null(r.Fenced));
        await AssertOnePrimaryAsync(connections, "us");
        await using (var old = await connections.OpenAsync(ConnectionTarget.Instance(connections.Region("eu")), "eu", "app"))
        {
            await using var write = new NpgsqlCommand($"INSERT INTO {ContinuousWriter.Table} (id, region) VALUES (-1, 'eu')", old);
            var refused = await Assert.ThrowsAsync<PostgresException>(() => write.ExecuteNonQueryAsync());
            Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
        }

        // Rows eu acknowledged after us last heard from it are lost; everything us took is everywhere.
        await AcknowledgedRows.AssertEverywhereAsync(connections, [.. writer.Rows.Where(r => r.Region == "us")]);
        await AssertVerifyPassesAsync(sandbox);
    }

    // With the link cut, the target hears nothing of what the primary goes on committing, so its WAL receiver cannot
    // say what is lost; the old primary's own pg_wal can, and every acknowledged row the target lacks is among it.
    [Fact]
    public async Task AFailoverAcrossACutLinkReportsAtLeastEveryAcknowledgedCommitTheTargetNeverGot()
    {
        // CNPG's own 5 s replication timeouts, as in the partition tests: the cut stream ends before the failover,
        // rather than stalling through it for the WAN default's 30 s.
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions
        {
            Directory = TemporaryDirectory.NewPath(),
            Regions = ["eu", "us"],
            Parameters = new Dictionary<string, string> { ["wal_sender_timeout"] = "5s", ["wal_receiver_timeout"] = "5s" },
        });
        using var connections = new Connections(sandbox);
        var writer = await ContinuousWriter.StartAsync(sandbox);
        await using (writer)
        {
            await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(20));

            // Cut once the replica streams: a cut during its replication handshake leaves both ends waiting with no timeout.
            await PartitionTests.UntilAsync(connections, "us", ReplicaStream.Established, TimeSpan.FromSeconds(20));
            sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
            await writer.UntilAcknowledgedAsync("eu", 500, TimeSpan.FromSeconds(30));
        }

        var report = await sandbox.FailoverAsync("us");

        var lost = writer.Rows.Select(r => r.Id).Except(await writer.RowsOnAsync("us")).Count();
        Assert.True(lost > 0, "every row eu acknowledged behind the cut link reached us");
        Assert.NotNull(report.CommitsLost);
        Assert.True(report.CommitsLost >= lost, $"the failover reported {report.CommitsLost} commits lost; {lost} acknowledged rows are not on us");
        Assert.True(report.BytesMaybeLost > 0, $"the failover reported {report.BytesMaybeLost} bytes of WAL lost with {lost} acknowledged rows gone");
    }

    // A replica that heard more of the lost primary than the failover's target has replayed past the new timeline's
    // fork: it cannot follow the target, so the failover fences it and says so, and starting it rewinds it.
    [Fact]
    public async Task AFailoverFencesAReplicaThatReplayedPastTheTargetAndStartingItRewindsIt()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"] });
        using var connections = new Connections(sandbox);
        var writer = await ContinuousWriter.StartAsync(sandbox);
        await using (writer)
        {
            await writer.UntilAcknowledgedAsync("eu", 20, TimeSpan.FromSeconds(20));
            await PartitionTests.UntilAsync(connections, "us", ReplicaStream.Established, TimeSpan.FromSeconds(20));
            sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
            await writer.UntilAcknowledgedAsync("eu", 200, TimeSpan.FromSeconds(30));
        }

        var lastRow = writer.Rows.Where(r => r.Region == "eu").Max(r => r.Id);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(await writer.RowsOnAsync("ap")).Contains(lastRow))
        {
            Assert.True(DateTime.UtcNow < deadline, $"ap did not replay row {lastRow} within 20 s");
            await Task.Delay(100);
        }

        var report = await sandbox.FailoverAsync("us");

        Assert.Equal(["eu", "ap"], report.Fenced);
        Assert.False(LocalSandbox.Status(sandbox.Directory)!.Single(r => r.Region == "ap").Postgres.Running);
        await sandbox.StartInstanceAsync("ap");
        sandbox.ChangeLink("eu", "us", link => link.Healed());
        await sandbox.StartInstanceAsync("eu");
        await AssertOnePrimaryAsync(connections, "us");
        Assert.DoesNotContain(lastRow, await writer.RowsOnAsync("ap"));
        await AssertVerifyPassesAsync(sandbox);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task ASwitchoverInterruptedAfterAnyStepResumesWhenRunAgain(int step)
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"] });
        using var connections = new Connections(sandbox);
        using var interrupt = new CancellationTokenSource();
        var steps = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sandbox.SwitchoverAsync("us", new Steps(() =>
        {
            if (++steps == step)
            {
                interrupt.Cancel();
            }
        }), interrupt.Token));
        Assert.Equal("us", sandbox.State.Change?.To);

        var report = await sandbox.SwitchoverAsync("us");

        Assert.Equal(2, report.Timeline);
        Assert.Null(sandbox.State.Change);
        await AssertOnePrimaryAsync(connections, "us");
        await AssertVerifyPassesAsync(sandbox);
    }

    [Fact]
    public async Task ABadTargetExitsTwoNamingTheRegionsAndChangesNothing()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        var cases = new Dictionary<string[], string>
        {
            [["switchover", "--to", "ap"]] = "--to: no region 'ap' in this sandbox; it has eu, us.",
            [["failover", "--to", "eu"]] = "--to: eu is already the primary region; name another region (us).",
            [["switchover"]] = "Option '--to' is required.",
        };

        foreach (var (arguments, expected) in cases)
        {
            var (exit, _, error) = await SandboxCommandLine.RunAsync([.. arguments, "--dir", sandbox.Directory]);

            Assert.Equal(2, exit);
            Assert.Contains(expected, error, StringComparison.Ordinal);
        }

        Assert.Null(sandbox.State.Change);
        Assert.Equal("eu", sandbox.State.PrimaryRegion);
    }

    private static async Task AssertOnePrimaryAsync(Connections connections, string primary)
    {
        foreach (var region in connections.Regions)
        {
            Assert.True(await InRecoveryAsync(connections, region) != (region == primary), $"{region} {(region == primary ? "is in recovery" : "is not in recovery")}");
        }
    }

    private static async Task<bool> InRecoveryAsync(Connections connections, string region)
    {
        await using var connection = await connections.OpenAsAdministratorAsync(region);
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
        return (bool)(await command.ExecuteScalarAsync())!;
    }

    // Every acknowledged row is on every region once replay has caught up (bounded wait, never a fixed sleep).
    // verify runs at once, with no wait of its own: a drill returns only once every pooler serves again
    // (RunningSandbox.PoolersServeAsync), though a PgBouncer whose PostgreSQL went down a moment ago refuses logins
    // until its next server login (server_login_retry; PgBouncer src/objects.c check_fast_fail).
    private static async Task<Verify.Reporting.VerifyReport> AssertVerifyPassesAsync(RunningSandbox sandbox)
    {
        var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());
        Assert.True(report.Passed, string.Join("\n", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}")));
        return report;
    }

    // Progress reported synchronously, so that an interruption lands right after the step it follows.
    private sealed class Steps(Action onStep) : IProgress<string>
    {
        public void Report(string value) => onStep();
    }
}
