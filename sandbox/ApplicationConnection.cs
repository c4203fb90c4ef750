using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox;

/// <summary>A connection as the application of a region opens one: that region's app certificate, the outputs' roots, verify-full.</summary>
internal static class ApplicationConnection
{
    /// <summary>Opens <paramref name="region"/>'s instance or pooler as described by <paramref name="outputs"/>, within <paramref name="limit"/>.</summary>
    public static Task<NpgsqlConnection> OpenAsync(TopologyOutputs outputs, string region, EndpointKind kind, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var endpoint = outputs.Regions.Single(r => r.Name == region);
        return OpenAsync(outputs, region, kind == EndpointKind.Pooler ? ConnectionTarget.Pooler(endpoint) : ConnectionTarget.Instance(endpoint), limit, cancellationToken);
    }

    /// <summary>
    /// Opens <paramref name="target"/> as <paramref name="region"/>'s application (its app certificate, the outputs'
    /// roots), within <paramref name="limit"/>: an endpoint the outputs do not list per region (<c>pg-writer</c>, or a
    /// pooler's own port beside its link's).
    /// </summary>
    public static async Task<NpgsqlConnection> OpenAsync(TopologyOutputs outputs, string region, ConnectionTarget target, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        using var identity = ClientIdentity.For(outputs, outputs.Regions.Single(r => r.Name == region), ClientNames.App);
        return await new Connector(Connector.TrustAnchors(outputs.RootCaCertificate), outputs.Database, limit).OpenAsync(target, identity, cancellationToken);
    }
}
