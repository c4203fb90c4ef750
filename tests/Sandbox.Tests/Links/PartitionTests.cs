using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Config;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>Issue 13: regions cut apart under load, on real servers across the link proxy.</summary>
public sealed class PartitionTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task APartitionUnderWriteLoadIsBridgedByTheArchiveAndLosesNoAcknowledgedRowOnceHealed()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions
        {
            Directory = TemporaryDirectory.NewPath(),
            RoundTrip = TimeSpan.FromMilliseconds(20),
            Replication = new ReplicationSettings { ArchiveTimeout = "1s" },
            // CNPG's own 5 s, so that the stalled stream ends within the wait (the WAN default rides through 30 s).
            Parameters = new Dictionary<string, string> { ["wal_sender_timeout"] = "5s", ["wal_receiver_timeout"] = "5s" },
        });
        using var connections = new Connections(sandbox);
        await using var writer = await ContinuousWriter.StartAsync(sandbox, TimeSpan.FromMilliseconds(10));
        await writer.UntilAcknowledgedAsync("eu", 20, TimeSpan.FromSeconds(10));
        // Cut once the replica streams: a cut during its replication handshake leaves both ends waiting with no timeout.
        await UntilAsync(connections, "us", ReplicaStream.Established, Settle);

        sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
        // The stalled stream ends once wal_receiver_timeout (5 s here) passes without a message from the primary.
        await UntilAsync(connections, "us", "SELECT count(*) = 0 FROM pg_stat_wal_receiver", Settle);
        await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(10));
        var cutOff = writer.Rows[^1].Id;

        // Rows acknowledged after the stream ended reach the replica through the primary's archive, while it still
        // has no WAL receiver: each segment is archived within archive_timeout, and restored on the next retry.
        var deadline = DateTime.UtcNow + Settle;
        while (!(await writer.RowsOnAsync("us")).Contains(cutOff))
        {
            Assert.True(DateTime.UtcNow < deadline, $"row {cutOff}, acknowledged during the partition, did not reach us from the archive within {Settle.TotalSeconds:0} s");
            await Task.Delay(200);
        }

        await UntilAsync(connections, "us", "SELECT count(*) = 0 FROM pg_stat_wal_receiver", TimeSpan.Zero);
        var beforeHeal = writer.Rows.Count;

        sandbox.ChangeLink("eu", "us", link => link.Healed());
        await UntilAsync(connections, "us", "SELECT coalesce(bool_or(status = 'streaming'), false) FROM pg_stat_wal_receiver", Settle);
        await writer.UntilAcknowledgedAsync("eu", 20, TimeSpan.FromSeconds(10));
        await writer.DisposeAsync();

        Assert.True(writer.Rows.Count > beforeHeal, "the primary stopped acknowledging writes after the heal");
        await AcknowledgedRows.AssertEverywhereAsync(connections, writer.Rows);
    }

    [Fact]
    public async Task ACutBetweenRegionsLeavesTheClientReachingBoth()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath() });
        using var connections = new Connections(sandbox);
        sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));

        foreach (var region in connections.Regions)
        {
            await using var connection = await connections.OpenAsAdministratorAsync(region);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            Assert.Equal(1, await command.ExecuteScalarAsync());
        }

        Assert.Equal("down", sandbox.State.Links.Between("us", "eu").StateName);
        Assert.NotNull(sandbox.State.Links.Between("us", "eu").CutSince);
        Assert.Equal("up", sandbox.State.Links.Between("client", "us").StateName);
    }

    internal static async Task UntilAsync(Connections connections, string region, string condition, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            await using (var connection = await connections.OpenAsAdministratorAsync(region))
            {
                await using var command = new NpgsqlCommand(condition, connection);
                if ((bool)(await command.ExecuteScalarAsync())!)
                {
                    return;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"{region}: '{condition}' is false{(limit > TimeSpan.Zero ? $" after {limit.TotalSeconds:0} s" : string.Empty)}");
            await Task.Delay(100);
        }
    }
}
