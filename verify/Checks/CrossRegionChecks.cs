using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// A client with a certificate from its own region's intermediate reaches the pooler of its region's peer (a
/// replica region's clients the primary's, the primary's clients its switchover peer's): the cross-region paths
/// the deployment builds, one per region.
/// </summary>
public static class CrossRegionChecks
{
    /// <summary>One check per region that has a peer.</summary>
    public static IEnumerable<Check> For(CheckContext context)
    {
        var regions = context.Outputs.Regions;
        foreach (var client in regions)
        {
            if (Peering.PeerOf(regions.Select(r => r.Name), context.Outputs.PrimaryRegion, client.Name) is { } peer)
            {
                var server = regions.Single(r => r.Name == peer);
                yield return new Check($"cross-region-client-from-{client.Name}", server.Name, ct => RunAsync(context, client, server, ct));
            }
        }
    }

    private static async Task<CheckOutcome> RunAsync(CheckContext context, RegionOutputs client, RegionOutputs server, CancellationToken cancellationToken)
    {
        var target = ConnectionTarget.Pooler(server);
        var identity = context.Identity(client, ClientNames.App);
        var (user, backendTls) = await EndpointException.Attribute(target, $"login with {client.Name}'s {identity.User} certificate", async () =>
        {
            await using var connection = await context.Connector.OpenAsync(target, identity, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT current_user::text, coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false)", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetString(0), reader.GetBoolean(1));
        });

        var detail = $"{identity.User} certificate from {client.Name}'s client CA logged in to {target} as {user}; pooler to PostgreSQL over {(backendTls ? "TLS" : "plaintext")}";
        return backendTls
            ? CheckOutcome.Pass(detail)
            : CheckOutcome.Fail(detail, $"PgBouncer in {server.Name} reaches PostgreSQL without TLS: set server_tls_sslmode = verify-full");
    }
}
