using System.Diagnostics;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

[Collection(SharedSandbox.Name)]
public sealed class ReplicationTests(SandboxFixture fixture) : IDisposable
{
    private readonly Connections _connections = new(fixture.Sandbox);

    [Fact]
    public async Task RowWrittenOnPrimaryAppearsOnEveryReplica()
    {
        var table = $"replication_probe_{Guid.NewGuid():N}";
        var marker = Guid.NewGuid().ToString();
        await using (var primary = await _connections.OpenAsync(ConnectionTarget.Pooler(_connections.Region("eu")), "eu", ClientNames.App))
        {
            await new NpgsqlCommand($"CREATE TABLE {table} (marker text); INSERT INTO {table} VALUES ('{marker}')", primary).ExecuteNonQueryAsync();
        }

        foreach (var replica in fixture.Sandbox.Outputs.Regions.Where(r => r.Role == RegionRole.Replica))
        {
            await using var connection = await _connections.OpenAsync(ConnectionTarget.Instance(replica), replica.Name, ClientNames.App);
            var seen = await WaitForAsync(async () =>
            {
                await using var command = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM pg_class WHERE relname = '{table}')", connection);
                if (!(bool)(await command.ExecuteScalarAsync())!)
                {
                    return false;
                }

                await using var read = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE marker = '{marker}'", connection);
                return (long)(await read.ExecuteScalarAsync())! == 1;
            });
            Assert.True(seen, $"the row written on the primary did not appear on {replica.Cluster} within 10 s");
        }
    }

    [Fact]
    public async Task PrimaryShowsEachReplicaStreamingOverTlsAsStreamingReplicaOfItsOwnRegion()
    {
        await using var primary = await _connections.OpenAsAdministratorAsync("eu");
        var streaming = new List<(string ClientDn, string IssuerDn)>();
        await WaitForAsync(async () =>
        {
            streaming.Clear();
            await using var command = new NpgsqlCommand(
                "SELECT s.client_dn, s.issuer_dn FROM pg_stat_replication r JOIN pg_stat_ssl s USING (pid) WHERE r.state = 'streaming' AND s.ssl",
                primary);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                streaming.Add((reader.GetString(0), reader.GetString(1)));
            }

            return streaming.Count > 0;
        });

        var us = _connections.Region("us");
        var sender = Assert.Single(streaming);
        Assert.Equal("/CN=streaming_replica/O=CrossClusterIac", sender.ClientDn);
        Assert.Equal(DistinguishedNames.OneLineSubject(us.ClientCaCertificate), sender.IssuerDn);
    }

    [Fact]
    public async Task ReplicaIsInRecoveryAndPrimaryIsNot()
    {
        foreach (var region in fixture.Sandbox.Outputs.Regions)
        {
            await using var connection = await _connections.OpenAsync(ConnectionTarget.Instance(region), region.Name, ClientNames.Verify);
            var inRecovery = (bool)(await new NpgsqlCommand("SELECT pg_is_in_recovery()", connection).ExecuteScalarAsync())!;
            Assert.Equal(region.Role == RegionRole.Replica, inRecovery);
        }
    }

    [Theory]
    [InlineData("us", "eu")]
    [InlineData("eu", "us")]
    public async Task ClientWithAnotherRegionsCertificateConnectsThroughThePooler(string clientRegion, string poolerRegion)
    {
        await using var connection = await _connections.OpenAsync(ConnectionTarget.Pooler(_connections.Region(poolerRegion)), clientRegion, ClientNames.App);
        var user = (string?)await new NpgsqlCommand("SELECT current_user", connection).ExecuteScalarAsync();
        Assert.Equal("app", user);
    }

    [Fact]
    public async Task PlaintextConnectionIsRefusedByEveryEndpoint()
    {
        var connector = new Connector(Connector.TrustAnchors(fixture.Sandbox.Outputs.RootCaCertificate), "app", TimeSpan.FromSeconds(5));
        foreach (var target in ConnectionTarget.All(fixture.Sandbox.Outputs))
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => connector.OpenAsync(target, null, CancellationToken.None, ConnectionVariant.Plaintext, user: "app"));
            var expected = target.Kind == EndpointKind.Instance ? ("28000", "no encryption") : ("08P01", "SSL required");
            Assert.Equal(expected, (refused.SqlState, expected.Item2));
            Assert.Contains(expected.Item2, refused.MessageText, StringComparison.Ordinal);
        }
    }

    public void Dispose() => _connections.Dispose();

    private static async Task<bool> WaitForAsync(Func<Task<bool>> condition)
    {
        var limit = Stopwatch.StartNew();
        while (limit.Elapsed < TimeSpan.FromSeconds(10))
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(10);
        }

        return false;
    }
}
