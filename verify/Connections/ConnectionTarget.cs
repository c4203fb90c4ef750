using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Verify.Connections;

/// <summary>An endpoint as verify names it in its report.</summary>
/// <param name="Region">Region that serves it.</param>
/// <param name="Kind">Instance or pooler.</param>
/// <param name="Endpoint">Where to connect and which name the server certificate must carry.</param>
public sealed record ConnectionTarget(string Region, EndpointKind Kind, Endpoint Endpoint)
{
    /// <summary>Every endpoint of every region.</summary>
    public static IEnumerable<ConnectionTarget> All(TopologyOutputs outputs) =>
        outputs.Regions.SelectMany(r => new[] { Instance(r), Pooler(r) });

    /// <summary>A region's instance.</summary>
    public static ConnectionTarget Instance(RegionOutputs region) => new(region.Name, EndpointKind.Instance, region.Instance);

    /// <summary>A region's pooler.</summary>
    public static ConnectionTarget Pooler(RegionOutputs region) => new(region.Name, EndpointKind.Pooler, region.Pooler);

    /// <inheritdoc />
    public override string ToString() => $"{Endpoint.ServerName} ({Endpoint.Host}:{Endpoint.Port})";
}

/// <summary>What sits behind an endpoint.</summary>
public enum EndpointKind
{
    /// <summary>PostgreSQL itself.</summary>
    Instance,

    /// <summary>PgBouncer.</summary>
    Pooler,
}
