using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// Cross-cluster reachability. Pod and service networks of different clusters do not route to each other, only
/// node or load-balancer addresses do; so each region exposes its rw instance and pooler there, and every other
/// region gets a twin Service with the same name as the remote one (see <see cref="RemoteEndpoint"/>). Names,
/// certificates and connection strings are then the same everywhere.
/// </summary>
internal static class NetworkManifests
{
    /// <summary>The Services that expose a region to the others.</summary>
    public static IReadOnlyList<Manifest> Exposures(TopologyConfig topology, RegionConfig region)
    {
        var names = new ClusterNames(region.Name!, topology.Namespace.Name);
        var exposure = region.Exposure!;
        return
        [
            Exposure(topology, exposure, names.ReadWriteExposure, exposure.RwPortOrDefault, new() { ["cnpg.io/cluster"] = names.Cluster, ["cnpg.io/instanceRole"] = "primary" }),
            Exposure(topology, exposure, names.PoolerExposure, exposure.PoolerPortOrDefault, new() { ["cnpg.io/poolerName"] = names.Pooler }),
        ];
    }

    /// <summary>
    /// In <paramref name="local"/>'s cluster, twins of its peer region's rw and pooler Services: a replica region
    /// reaches the primary (to stream, and for clients to write) by the primary's own names.
    /// </summary>
    public static IReadOnlyList<RemoteEndpoint> RemoteEndpoints(TopologyConfig topology, RegionConfig local)
    {
        if (TopologyManifests.PeerOf(topology, local) is not { } remote)
        {
            return [];
        }

        var names = new ClusterNames(remote.Name!, topology.Namespace.Name);
        var exposure = remote.Exposure!;
        var shape = exposure.LoadBalancer?.Ingress == IngressKind.Hostname ? TwinShape.ExternalName : TwinShape.EndpointSlice;
        return
        [
            new RemoteEndpoint(remote.Name!, ExposedService.ReadWrite, names.ReadWriteService, topology.Namespace.Name, exposure.RwPortOrDefault, shape),
            new RemoteEndpoint(remote.Name!, ExposedService.Pooler, names.Pooler, topology.Namespace.Name, exposure.PoolerPortOrDefault, shape),
        ];
    }

    /// <summary>
    /// The stable names of <paramref name="region"/>: <see cref="ClusterNames.WriterService"/> for the pooler of the
    /// region that takes writes (the switchover's target from its promotion on; while the primary is demoted, still the
    /// old primary, read-only), and <see cref="ClusterNames.LocalService"/> for its own pooler. Each is an ExternalName
    /// Service naming an in-cluster Service: the local pooler's (CNPG's, named after the Pooler), or the twin of the
    /// writable region's, which this region has because that region is its peer whenever it takes writes
    /// (<see cref="ReplicaRoles.PeerOf"/>). So a move of the primary changes only <c>spec.externalName</c>, in place
    /// (kubernetes/kubernetes pkg/apis/core/validation ValidateService: an ExternalName Service has no cluster IP to
    /// keep), and cluster DNS answers the new CNAME from then on; a connection already made stays where it went.
    /// </summary>
    public static IReadOnlyList<Manifest> StableEndpoints(TopologyConfig topology, RegionConfig region)
    {
        var roles = ReplicaRoles.Of(topology);
        var writable = roles.Writable ?? topology.PrimaryRegion!;
        var local = new ClusterNames(region.Name!, topology.Namespace.Name);
        return
        [
            Alias(topology, ClusterNames.WriterService, local.ServiceFqdn(new ClusterNames(writable, topology.Namespace.Name).Pooler)),
            Alias(topology, ClusterNames.LocalService, local.ServiceFqdn(local.Pooler)),
        ];
    }

    private static Manifest Alias(TopologyConfig topology, string name, string target) => Objects.Create("v1", "Service", name, topology.Namespace.Name, new()
    {
        ["spec"] = new Dictionary<string, object?>
        {
            ["type"] = "ExternalName",
            ["externalName"] = target,
            ["ports"] = new object?[] { new Dictionary<string, object?> { ["name"] = RemoteEndpoint.PortName, ["protocol"] = "TCP", ["port"] = ExposureConfig.PostgresPort } },
        },
    });

    private static Manifest Exposure(TopologyConfig topology, ExposureConfig exposure, string name, int port, Dictionary<string, string> selector)
    {
        var servicePort = new Dictionary<string, object?> { ["name"] = RemoteEndpoint.PortName, ["protocol"] = "TCP", ["targetPort"] = ExposureConfig.PostgresPort };
        if (exposure.Type == ExposureType.NodePort)
        {
            servicePort["port"] = ExposureConfig.PostgresPort;
            servicePort["nodePort"] = port;
        }
        else
        {
            servicePort["port"] = port;
        }

        var spec = new Dictionary<string, object?>
        {
            ["type"] = exposure.Type.ToString(),
            ["selector"] = selector.ToDictionary(p => p.Key, p => (object?)p.Value),
            ["ports"] = new object?[] { servicePort },
        };
        if (exposure.LoadBalancer is { SourceRanges.Count: > 0 } balancer)
        {
            // kube-proxy (and the cloud's firewall, where the controller supports it) drops every other client.
            spec["loadBalancerSourceRanges"] = balancer.SourceRanges.ToArray<object?>();
        }

        return Objects.Create("v1", "Service", name, topology.Namespace.Name, new() { ["spec"] = spec }, annotations: exposure.LoadBalancer?.Annotations);
    }
}
