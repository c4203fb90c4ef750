using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>Every object one region's Kubernetes cluster receives, grouped the way the components own them.</summary>
public sealed record RegionManifests
{
    /// <summary>Region name.</summary>
    public required string Region { get; init; }

    /// <summary>The namespace, when the program declares it (see <see cref="Config.NamespaceConfig.Declared"/>).</summary>
    public required Manifest? Namespace { get; init; }

    /// <summary>Certificates and keys in the layout CNPG expects; the root key is in none of them.</summary>
    public required IReadOnlyList<Manifest> Secrets { get; init; }

    /// <summary>
    /// The barman-cloud ObjectStores of this region (it archives there) and of its peer (it recovers from there); in
    /// archive mode of every region, each a member its Cluster may have been bootstrapped from.
    /// </summary>
    public required IReadOnlyList<Manifest> ObjectStores { get; init; }

    /// <summary>The CNPG Cluster.</summary>
    public required Manifest Cluster { get; init; }

    /// <summary>The read-write PgBouncer Pooler.</summary>
    public required Manifest Pooler { get; init; }

    /// <summary>The base backup schedule.</summary>
    public required Manifest ScheduledBackup { get; init; }

    /// <summary>In the primary region, the first base backup that replica regions recover from; <c>null</c> elsewhere.</summary>
    public required Manifest? BootstrapBackup { get; init; }

    /// <summary>In a replica region, the wait for that backup before its Cluster is created; <c>null</c> in the primary's.</summary>
    public required BootstrapWait? BootstrapWait { get; init; }

    /// <summary>Services exposing this region's rw instance and pooler to the others.</summary>
    public required IReadOnlyList<Manifest> Exposures { get; init; }

    /// <summary>The stable names every region has: the writable region's pooler and its own (<see cref="NetworkManifests.StableEndpoints"/>).</summary>
    public IReadOnlyList<Manifest> StableEndpoints { get; init; } = [];

    /// <summary>PodMonitors, the PrometheusRule and the certificate query's ConfigMap; empty unless monitoring is enabled.</summary>
    public IReadOnlyList<Manifest> Monitoring { get; init; } = [];

    /// <summary>Twins of the peer region's rw and pooler Services, made once the peer's addresses are known.</summary>
    public required IReadOnlyList<RemoteEndpoint> RemoteEndpoints { get; init; }

    /// <summary>
    /// Every object, in an order a plain apply accepts (what others reference first), with the twins made for the
    /// addresses <paramref name="addressOf"/> gives.
    /// </summary>
    public IEnumerable<Manifest> All(Func<RemoteEndpoint, ExposureAddress> addressOf) =>
        new[] { Namespace }.OfType<Manifest>()
            .Concat(Secrets).Concat(Monitoring.Where(m => m.Kind == "ConfigMap")).Concat(ObjectStores).Append(Cluster)
            .Concat(new[] { BootstrapBackup }.OfType<Manifest>())
            .Append(Pooler).Append(ScheduledBackup).Concat(Monitoring.Where(m => m.Kind != "ConfigMap")).Concat(Exposures)
            .Concat(RemoteEndpoints.SelectMany(endpoint => endpoint.For(addressOf(endpoint)))).Concat(StableEndpoints);
}
