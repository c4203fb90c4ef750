using CrossClusterIac.Sandbox;
using CrossClusterIac.Tests.Sandbox.Links;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using Npgsql;

namespace CrossClusterIac.Tests.Verify;

/// <summary>Issue 13: verify's verdict on each state of the link between a replica and its primary, on a sandbox whose regions are a distance apart.</summary>
public sealed class LinkStateTests
{
    private static readonly VerifyOptions Options = new() { Timeout = TimeSpan.FromSeconds(4), Rows = 100 };

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public async Task ACutLinkIsDiagnosedAsTheLinkDownAndTheSuitePassesOnceItHeals(bool replicaSendsLost, bool primarySendsLost)
    {
        // CNPG's own 5 s replication timeouts, so that the cut ends the stream within the wait; the WAN default of 30 s
        // rides through such a stall (Sandbox.Tests ReplicationTimeoutTests).
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions
        {
            Directory = Path.Combine(Path.GetTempPath(), $"crosscluster-link-{Guid.NewGuid():N}"),
            RoundTrip = TimeSpan.FromMilliseconds(20),
            Replication = new ReplicationSettings { ArchiveTimeout = "1s" },
            Parameters = new Dictionary<string, string> { ["wal_sender_timeout"] = "5s", ["wal_receiver_timeout"] = "5s" },
        });
        // Cut once the replica streams: a cut during its replication handshake leaves both ends waiting with no timeout.
        await UntilAsync(sandbox, "us", ReplicaStream.Established);

        // Either direction lost ends the stream: without the replica's replies the walsender gives up, without the
        // primary's messages the WAL receiver does; a new connection needs both.
        sandbox.ChangeLink("eu", "us", link => link.Changed("us", replicaSendsLost, primarySendsLost, null, null, DateTimeOffset.UtcNow));
        // The primary's walsender gives up once wal_sender_timeout (5 s here) passes without the replica's reply.
        await UntilAsync(sandbox, "eu", "SELECT count(*) = 0 FROM pg_stat_replication");
        // And the replica's WAL receiver once wal_receiver_timeout (5 s) passes: until then it still says 'streaming',
        // and a verify quick enough to look before it does finds a replica that believes it streams.
        await UntilAsync(sandbox, "us", "SELECT NOT coalesce(bool_or(status = 'streaming'), false) FROM pg_stat_wal_receiver");

        var cut = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(Options));

        Assert.False(cut.Passed);
        Assert.True(cut.Duration < (Options.Timeout * 3) + TimeSpan.FromSeconds(5), $"verify took {cut.Duration.TotalSeconds:0.0} s");
        var streaming = Assert.Single(cut.Checks, c => c.Name == "streams-over-mtls" && c.Region == "us");
        Assert.Equal(CheckStatus.Failed, streaming.Status);
        Assert.Contains("replica not streaming: link to pg-eu down: pg-us has no WAL receiver while pg-eu answers verify", streaming.Diagnosis, StringComparison.Ordinal);
        Assert.Contains("replaying from the archive", streaming.Diagnosis, StringComparison.Ordinal);
        Assert.Contains("last segment 0000000100000000000000", streaming.Diagnosis, StringComparison.Ordinal);
        Assert.Contains("the primary archived up to 0000000100000000000000", streaming.Diagnosis, StringComparison.Ordinal);
        Assert.All(cut.Checks.Where(c => c.Name.StartsWith("tls-", StringComparison.Ordinal)), c => Assert.Equal(CheckStatus.Passed, c.Status));

        sandbox.ChangeLink("eu", "us", link => link.Healed());
        await UntilAsync(sandbox, "us", "SELECT coalesce(bool_or(status = 'streaming'), false) FROM pg_stat_wal_receiver");
        var healed = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions(Options));

        Assert.True(healed.Passed, string.Join("; ", healed.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}")));
    }

    // When a wait fails: each end of the stream as PostgreSQL shows it, and the last lines each server and the link proxy logged.
    private static async Task<string> WhatEachEndSawAsync(RunningSandbox sandbox)
    {
        var seen = new List<string>();
        foreach (var (region, query) in new[] { ("eu", "SELECT string_agg(format('%s %s %s', pid, state, reply_time), '; ') FROM pg_stat_replication"), ("us", "SELECT string_agg(format('%s %s %s %s', pid, status, last_msg_receipt_time, sender_port), '; ') FROM pg_stat_wal_receiver") })
        {
            await using var connection = await SandboxDatabase.OpenAsAdministratorAsync(sandbox, region);
            await using var command = new NpgsqlCommand(query, connection);
            seen.Add($"{region}: {await command.ExecuteScalarAsync()}");
        }

        var logs = sandbox.State.Regions.Select(r => r.Layout.PostgresLog).Append(Path.Combine(sandbox.Directory, CrossClusterIac.Sandbox.Links.LinkDaemon.LogFileName)).Where(File.Exists);
        seen.AddRange(logs.Select(log => $"{log}:\n{string.Join('\n', File.ReadLines(log).TakeLast(15))}"));
        return string.Join('\n', seen);
    }

    private static async Task UntilAsync(RunningSandbox sandbox, string region, string condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            await using (var connection = await SandboxDatabase.OpenAsAdministratorAsync(sandbox, region))
            {
                await using var command = new NpgsqlCommand(condition, connection);
                if ((bool)(await command.ExecuteScalarAsync())!)
                {
                    return;
                }
            }

            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"{region}: '{condition}' still false after 20 s; {await WhatEachEndSawAsync(sandbox)}");
            }

            await Task.Delay(100);
        }
    }
}
