using CrossClusterIac.Sandbox;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>Issue 14: the sandbox realises minApplyDelay as CNPG does: WAL arrives at once, its commits replay after the delay.</summary>
public sealed class DelayedReplicaTests
{
    [Fact]
    public async Task ADelayedReplicaReceivesAtOnceReplaysAfterItsDelayAndIsNeverPromoted()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us"], MinApplyDelays = new Dictionary<string, string> { ["us"] = "4s" } });
        using var connections = new Connections(sandbox);
        string committedAt;
        await using (var primary = await connections.OpenAsAdministratorAsync("eu", "app"))
        {
            await using var write = new NpgsqlCommand("CREATE TABLE delayed_probe AS SELECT 1 AS n; SELECT pg_current_wal_lsn()::text", primary);
            committedAt = (string)(await write.ExecuteScalarAsync())!;
        }

        var received = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        await using var replica = await connections.OpenAsAdministratorAsync("us", "app");
        await using var positions = new NpgsqlCommand("SELECT pg_last_wal_receive_lsn() >= $1::pg_lsn, to_regclass('delayed_probe') IS NOT NULL", replica) { Parameters = { new() { Value = committedAt } } };
        (bool Received, bool Replayed) Read(NpgsqlDataReader reader) => (reader.GetBoolean(0), reader.GetBoolean(1));
        (bool Received, bool Replayed) state;
        do
        {
            await using var reader = await positions.ExecuteReaderAsync();
            await reader.ReadAsync();
            state = Read(reader);
        }
        while (!state.Received && DateTime.UtcNow < received);

        Assert.Equal((true, false), state);
        await Task.Delay(TimeSpan.FromSeconds(5));
        await using (var reader = await positions.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal((true, true), Read(reader));
        }

        var refused = await Assert.ThrowsAsync<SandboxException>(() => sandbox.SwitchoverAsync("us"));
        Assert.Contains("us is a delayed replica", refused.Message, StringComparison.Ordinal);
        Assert.Equal("eu", sandbox.State.PrimaryRegion);
    }
}
