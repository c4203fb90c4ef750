using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox;

/// <summary>A connection as the application of a region opens one: that region's app certificate, the outputs' roots, verify-full.</summary>
internal static class ApplicationConnection
{
    /// <summary>Opens <paramref name="region"/>'s instance or pooler as described by <paramref name="outputs"/>, within <paramref name="limit"/>.</summary>
    public static async Task<NpgsqlConnection> OpenAsync(TopologyOutputs outputs, string region, EndpointKind kind, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var endpoint = outputs.Regions.Single(r => r.Name == region);
        using var identity = ClientIdentity.For(outputs, endpoint, ClientNames.App);
        var target = kind == EndpointKind.Pooler ? ConnectionTarget.Pooler(endpoint) : ConnectionTarget.Instance(endpoint);
        return await new Connector(Connector.TrustAnchors(outputs.RootCaCertificate), outputs.Database, limit).OpenAsync(target, identity, cancellationToken);
    }
}
