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

    public void Dispose() => _connections.Dispose();
}
