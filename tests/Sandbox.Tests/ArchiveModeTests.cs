using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>replication.mode archive: a replica that replays only the primary's WAL archive, with no connection to it.</summary>
public sealed class ArchiveModeTests
{
    private static readonly ReplicationSettings ArchiveOnly = new() { Mode = ReplicationMode.Archive, ArchiveTimeout = "2s" };
    [Fact]
    public async Task ArchiveModeReplicatesWithNoStreamingConnection()
    {
        await using var sandbox = await UpAsync();
        using var connections = new Connections(sandbox);
        await using var primary = await connections.OpenAsAdministratorAsync("eu", "app");
        await using var replica = await connections.OpenAsAdministratorAsync("us", "app");
        var marker = Guid.NewGuid().ToString();
        await new NpgsqlCommand($"CREATE TABLE archived_probe (marker text); INSERT INTO archived_probe VALUES ('{marker}')", primary).ExecuteNonQueryAsync();

        await using var senders = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication", primary);
        await using var receivers = new NpgsqlCommand("SELECT count(*) FROM pg_stat_wal_receiver", replica);
        await using var table = new NpgsqlCommand("SELECT to_regclass('archived_probe') IS NOT NULL", replica);
        await using var row = new NpgsqlCommand($"SELECT count(*) FROM archived_probe WHERE marker = '{marker}'", replica);
        var limit = Stopwatch.StartNew();
        while (!(bool)(await table.ExecuteScalarAsync())! || (long)(await row.ExecuteScalarAsync())! != 1)
        {
            // Throughout: no walsender on the primary, no WAL receiver on the replica.
            Assert.Equal(0L, await senders.ExecuteScalarAsync());
            Assert.Equal(0L, await receivers.ExecuteScalarAsync());
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(30), "the row written on the primary did not reach the archive-only replica within 30 s (archive timeout 2 s)");
            await Task.Delay(100);
        }

        Assert.Equal(0L, await senders.ExecuteScalarAsync());
        Assert.Equal(0L, await receivers.ExecuteScalarAsync());
        var wals = Path.Combine(sandbox.Directory, "object-store", "minio-eu", "pg-eu", "wals", "0000000100000000");
        Assert.Contains(Directory.GetFiles(wals), f => System.Text.RegularExpressions.Regex.IsMatch(Path.GetFileName(f), "^[0-9A-F]{24}$"));
    }

    // The mode and timeout are kept in sandbox.json: a failover renders the topology again, and must render the same.
    [Fact]
    public async Task AFailoverInArchiveModeRendersTheSameSettingsAndArchivesTheNewTimelinesHistory()
    {
        await using var sandbox = await UpAsync();

        var report = await sandbox.FailoverAsync("us");

        Assert.Equal(2, report.Timeline);
        Assert.Equal(ArchiveOnly, LocalSandbox.Attach(sandbox.Directory).State.Replication);
        Assert.Contains("archive_timeout = '2s'", await File.ReadAllLinesAsync(Path.Combine(sandbox.State.Regions.Single(r => r.Name == "us").Layout.Data, "custom.conf")));

        // barman keeps a timeline's history in wals/ itself, beside the per-timeline directories.
        var history = Path.Combine(sandbox.Directory, "object-store", "minio-us", "pg-us", "wals", "00000002.history");
        var limit = Stopwatch.StartNew();
        while (!File.Exists(history))
        {
            Assert.True(limit.Elapsed < TimeSpan.FromSeconds(20), $"the promoted pg-us did not archive {history} within 20 s");
            await Task.Delay(100);
        }
    }

    // No stream carries the shutdown checkpoint to the target: CNPG archives its segment as .partial with the demotion
    // token, and the target's restore_command finds it by the segment's name.
    [Fact]
    public async Task ASwitchoverInArchiveModeArchivesTheShutdownCheckpointAsPartialAndPromotesTheTargetLosingNoAcknowledgedRow()
    {
        await using var sandbox = await UpAsync();
        using var connections = new Connections(sandbox);
        var writer = await ContinuousWriter.StartAsync(sandbox);
        PrimaryChangeReport report;
        await using (writer)
        {
            await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(20));
            report = await sandbox.SwitchoverAsync("us");
            await writer.UntilAcknowledgedAsync("us", 50, TimeSpan.FromSeconds(20));
        }

        var redo = PromotionToken.Parse(report.PromotionToken!).RedoWalFile!;
        Assert.True(File.Exists(Path.Combine(sandbox.Directory, "object-store", "minio-eu", "pg-eu", "wals", redo[..16], $"{redo}.partial")), $"{redo}.partial is not in pg-eu's store");
        Assert.Equal(2, report.Timeline);
        Assert.Equal("us", sandbox.State.PrimaryRegion);
        foreach (var (region, inRecovery) in new[] { ("us", false), ("eu", true) })
        {
            await using var connection = await connections.OpenAsAdministratorAsync(region);
            Assert.Equal(inRecovery, await new NpgsqlCommand("SELECT pg_is_in_recovery()", connection).ExecuteScalarAsync());
        }

        await AcknowledgedRows.AssertEverywhereAsync(connections, writer.Rows);
    }

    // Two regions whose replica replays only the archive, segments archived at least every 2 s.
    private static Task<RunningSandbox> UpAsync() =>
        LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"], Replication = ArchiveOnly });
}
