using CrossClusterIac.Sandbox;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>Issue 13: regions cut apart under load, on real servers across the link proxy.</summary>
public sealed class PartitionTests
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task APartitionUnderWriteLoadLosesNoAcknowledgedRowOnceHealed()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), RoundTrip = TimeSpan.FromMilliseconds(20) });
        using var connections = new Connections(sandbox);
        await using var writer = await ContinuousWriter.StartAsync(sandbox, TimeSpan.FromMilliseconds(10));
        await writer.UntilAcknowledgedAsync("eu", 20, TimeSpan.FromSeconds(10));

        sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
        // The stalled stream ends once wal_receiver_timeout (CNPG: 5 s) passes without a message from the primary.
        await UntilAsync(connections, "us", "SELECT count(*) = 0 FROM pg_stat_wal_receiver", Settle);
        var beforeHeal = writer.Rows.Count;
        await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(10));

        sandbox.ChangeLink("eu", "us", link => link.Healed());
        await UntilAsync(connections, "us", "SELECT coalesce(bool_or(status = 'streaming'), false) FROM pg_stat_wal_receiver", Settle);
        await writer.DisposeAsync();

        Assert.True(writer.Rows.Count > beforeHeal, "the primary stopped acknowledging writes while the replica was cut off");
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

            Assert.True(DateTime.UtcNow < deadline, $"{region}: '{condition}' still false after {limit.TotalSeconds:0} s");
            await Task.Delay(100);
        }
    }
}
