using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// The stable writable endpoint (<see cref="ClusterNames.WriterService"/>) reaches the region that takes writes: an
/// application dialling it, with the name checked against the server certificate (verify-full), lands on the primary
/// region's cluster, out of recovery. Outputs without it (older documents) have no such check.
/// </summary>
public static class WriterChecks
{
    /// <summary>The one check, when the outputs carry the endpoint.</summary>
    public static IEnumerable<Check> For(CheckContext context)
    {
        if (context.Outputs.Writer is not { } writer)
        {
            yield break;
        }

        var primary = context.Outputs.Regions.Single(r => r.Name == context.Outputs.PrimaryRegion);
        // As another region's application dials it, when there is one: the name and the connection string are the same everywhere.
        var client = context.Outputs.Regions.FirstOrDefault(r => r.Name != primary.Name) ?? primary;
        yield return new Check("writer-endpoint", primary.Name, ct => RunAsync(context, writer, client, primary, ct));
    }

    private static async Task<CheckOutcome> RunAsync(CheckContext context, Endpoint writer, RegionOutputs client, RegionOutputs primary, CancellationToken cancellationToken)
    {
        var target = new ConnectionTarget(primary.Name, EndpointKind.Pooler, writer);
        var identity = context.Identity(client, ClientNames.App);
        var (cluster, inRecovery) = await EndpointException.Attribute(target, $"login with {client.Name}'s {identity.User} certificate", async () =>
        {
            await using var connection = await context.Connector.OpenAsync(target, identity, cancellationToken);
            await using var command = new NpgsqlCommand("SELECT current_setting('cluster_name'), pg_is_in_recovery()", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return (reader.GetString(0), reader.GetBoolean(1));
        });

        var detail = $"{identity.User} certificate from {client.Name}'s client CA reached {cluster} through {target}";
        if (cluster != primary.Cluster)
        {
            return CheckOutcome.Fail(detail, $"{ClusterNames.WriterService} reaches {cluster}, not {primary.Cluster} of the primary region {primary.Name}: the update that moves the primary re-points it; run `pulumi up`");
        }

        return inRecovery
            ? CheckOutcome.Fail(detail, $"{cluster} is in recovery: no region takes writes (a switchover between its two phases?)")
            : CheckOutcome.Pass($"{detail}, which takes writes");
    }
}
