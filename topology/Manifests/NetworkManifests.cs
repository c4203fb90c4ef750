using System.Net;
using System.Net.Sockets;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// Cross-cluster reachability. Pod and service networks of different clusters do not route to each other, only
/// node or load-balancer addresses do; so each region exposes its rw instance and pooler there, and every other
/// region gets a selector-less Service with the same name as the remote one, backed by an EndpointSlice to that
/// address. Names, certificates and connection strings are then the same everywhere.
/// </summary>
internal static class NetworkManifests
{
    private const string PortName = "postgres";

    /// <summary>The Services that expose a region to the others.</summary>
    public static IReadOnlyList<Manifest> Exposures(TopologyConfig topology, RegionConfig region)
    {
        var names = new ClusterNames(region.Name!, topology.Namespace);
        var exposure = region.Exposure!;
        return
        [
            Exposure(topology, exposure, names.ReadWriteExposure, exposure.RwPort, new() { ["cnpg.io/cluster"] = names.Cluster, ["cnpg.io/instanceRole"] = "primary" }),
            Exposure(topology, exposure, names.PoolerExposure, exposure.PoolerPort, new() { ["cnpg.io/poolerName"] = names.Pooler }),
        ];
    }

    /// <summary>
    /// In <paramref name="local"/>'s cluster, twins of its peer region's rw and pooler Services: a replica region
    /// reaches the primary (to stream, and for clients to write) by the primary's own names.
    /// </summary>
    public static IReadOnlyList<Manifest> RemoteEndpoints(TopologyConfig topology, RegionConfig local)
    {
        if (TopologyManifests.PeerOf(topology, local) is not { } remote)
        {
            return [];
        }

        var names = new ClusterNames(remote.Name!, topology.Namespace);
        var exposure = remote.Exposure!;
        return [.. Twin(topology, names.ReadWriteService, exposure, exposure.RwPort), .. Twin(topology, names.Pooler, exposure, exposure.PoolerPort)];
    }

    private static Manifest Exposure(TopologyConfig topology, ExposureConfig exposure, string name, int port, Dictionary<string, string> selector)
    {
        var servicePort = new Dictionary<string, object?> { ["name"] = PortName, ["protocol"] = "TCP", ["targetPort"] = Objects.PostgresPort };
        if (exposure.Type == ExposureType.NodePort)
        {
            servicePort["port"] = Objects.PostgresPort;
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
        return Objects.Create("v1", "Service", name, topology.Namespace, new() { ["spec"] = spec });
    }

    private static IEnumerable<Manifest> Twin(TopologyConfig topology, string service, ExposureConfig exposure, int port)
    {
        yield return Objects.Create("v1", "Service", service, topology.Namespace, new()
        {
            ["spec"] = new Dictionary<string, object?>
            {
                ["type"] = "ClusterIP",
                ["ports"] = new object?[]
                {
                    new Dictionary<string, object?> { ["name"] = PortName, ["protocol"] = "TCP", ["port"] = Objects.PostgresPort, ["targetPort"] = port },
                },
            },
        });

        // A discovered address stays 'auto' here; the deployment puts the node's IPv4 address in its place.
        var address = exposure.Address!;
        var addressType = exposure.DiscoversAddress ? "IPv4"
            : IPAddress.TryParse(address, out var ip) ? ip.AddressFamily == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4"
            : "FQDN";
        yield return Objects.Create("discovery.k8s.io/v1", "EndpointSlice", $"{service}-remote", topology.Namespace, new()
        {
            ["addressType"] = addressType,
            ["endpoints"] = new object?[]
            {
                new Dictionary<string, object?>
                {
                    ["addresses"] = new object?[] { address },
                    ["conditions"] = new Dictionary<string, object?> { ["ready"] = true },
                },
            },
            ["ports"] = new object?[]
            {
                new Dictionary<string, object?> { ["name"] = PortName, ["protocol"] = "TCP", ["port"] = port },
            },
        }, new Dictionary<string, string>
        {
            // Binds the slice to the Service of the same name; the managed-by value keeps the endpoint controller off it.
            ["kubernetes.io/service-name"] = service,
            ["endpointslice.kubernetes.io/managed-by"] = "crosscluster-iac",
        });
    }
}
