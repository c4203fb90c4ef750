using CrossClusterIac.Sandbox;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>The parameters the Cluster manifests carry reach the real servers, as CNPG writes them into custom.conf.</summary>
[Collection(SharedSandbox.Name)]
public sealed class ReplicationTimeoutTests(SandboxFixture fixture) : IDisposable
{
    private readonly Connections _connections = new(fixture.Sandbox);

    [Theory]
    [InlineData("eu")]
    [InlineData("us")]
    public async Task EveryServerRunsTheWanReplicationTimeoutsNotCnpgsFiveSeconds(string region)
    {
        await using var connection = await _connections.OpenAsAdministratorAsync(region);

        foreach (var parameter in new[] { "wal_sender_timeout", "wal_receiver_timeout" })
        {
            Assert.Equal("30s", (string)(await new NpgsqlCommand($"SHOW {parameter}", connection).ExecuteScalarAsync())!);
        }
    }

    [Fact]
    public async Task AStreamRidesThroughAWanStallShorterThanTheTimeoutsOnTheSameConnection()
    {
        // A stall of a few seconds, as a congested or re-routed WAN path gives: the link holds what is sent and delivers
        // it once the path is back. CNPG's 5 s timeouts end the stream in it (LinkStateTests, PartitionTests set them).
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), RoundTrip = TimeSpan.FromMilliseconds(20) });
        using var connections = new Connections(sandbox);
        var before = await ReceiverAsync(connections, TimeSpan.FromSeconds(20));

        sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
        await Task.Delay(TimeSpan.FromSeconds(10));
        sandbox.ChangeLink("eu", "us", link => link.Healed());
        await using (var primary = await connections.OpenAsAdministratorAsync("eu"))
        {
            await new NpgsqlCommand("CREATE TABLE after_the_stall ()", primary).ExecuteNonQueryAsync();
        }

        var after = await ReceiverAsync(connections, TimeSpan.FromSeconds(20));
        Assert.Equal(before.Pid, after.Pid);
        Assert.True(after.Received > before.Received, $"the stream received nothing after the stall ({before.Received} then {after.Received})");
    }

    public void Dispose() => _connections.Dispose();

    // The replica's WAL receiver once it streams: its process and the last position it received.
    private static async Task<(int Pid, long Received)> ReceiverAsync(Connections connections, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            await using var replica = await connections.OpenAsAdministratorAsync("us");
            await using var reader = await new NpgsqlCommand("SELECT pid, (flushed_lsn - '0/0')::bigint FROM pg_stat_wal_receiver WHERE status = 'streaming'", replica).ExecuteReaderAsync();
            if (await reader.ReadAsync())
            {
                return (reader.GetInt32(0), reader.GetInt64(1));
            }

            Assert.True(DateTime.UtcNow < deadline, $"us did not stream within {patience.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }
}
