using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// A region's CNPG Cluster in the distributed topology: <c>externalClusters</c> lists itself and its peer (see
/// <see cref="TopologyManifests.PeerOf"/>); a replica bootstraps from the primary's object store, then streams
/// from the primary's rw service with its <c>streaming_replica</c> certificate under verify-full.
/// </summary>
internal static class ClusterManifest
{
    private const string IdentMap = "crosscluster";

    public static Manifest For(TopologyConfig topology, RegionConfig region)
    {
        var names = Names(topology, region);
        var postgres = topology.Postgres;
        var isPrimary = region.Name == topology.PrimaryRegion;
        var spec = new Dictionary<string, object?>
        {
            ["instances"] = postgres.Instances,
            ["imageName"] = postgres.Image,
            ["storage"] = new Dictionary<string, object?> { ["size"] = postgres.StorageSize },
            ["certificates"] = new Dictionary<string, object?>
            {
                ["serverTLSSecret"] = names.ServerCertificateSecret,
                ["serverCASecret"] = names.ServerCaSecret,
                ["clientCASecret"] = names.ClientCaSecret,
                ["replicationTLSSecret"] = names.ReplicationCertificateSecret,
            },
            ["managed"] = new Dictionary<string, object?>
            {
                // cnpg_pooler_pgbouncer is not declared here: CNPG creates it for the Pooler's auth query.
                ["roles"] = new object?[] { Role(RoleNames.Verify, "pg_monitor") },
            },
            ["postgresql"] = new Dictionary<string, object?>
            {
                // Certificates are the only way in: the CN names the role, through one ident map.
                ["pg_hba"] = new object?[]
                {
                    $"hostssl all {postgres.Owner} all cert map={IdentMap}",
                    $"hostssl all {RoleNames.Verify} all cert map={IdentMap}",
                },
                ["pg_ident"] = new object?[]
                {
                    $"{IdentMap} {postgres.Owner} {postgres.Owner}",
                    $"{IdentMap} {RoleNames.Verify} {RoleNames.Verify}",
                    $"{IdentMap} {RoleNames.Pooler} {postgres.Owner}",
                    $"{IdentMap} {RoleNames.Pooler} {RoleNames.Verify}",
                },
            },
            ["plugins"] = new object?[]
            {
                new Dictionary<string, object?>
                {
                    ["name"] = Objects.BarmanCloudPlugin,
                    ["isWALArchiver"] = true,
                    ["parameters"] = new Dictionary<string, object?>
                    {
                        ["barmanObjectName"] = ObjectStoreName(topology, region),
                        ["serverName"] = names.Cluster,
                    },
                },
            },
            ["bootstrap"] = isPrimary
                ? new Dictionary<string, object?>
                {
                    ["initdb"] = new Dictionary<string, object?> { ["database"] = postgres.Database, ["owner"] = postgres.Owner },
                }
                : new Dictionary<string, object?>
                {
                    ["recovery"] = new Dictionary<string, object?> { ["source"] = PrimaryCluster(topology) },
                },
        };
        if (postgres.WalStorageSize is { } walSize)
        {
            spec["walStorage"] = new Dictionary<string, object?> { ["size"] = walSize };
        }

        if (TopologyManifests.PeerOf(topology, region) is { } peer)
        {
            spec["replica"] = new Dictionary<string, object?>
            {
                ["self"] = names.Cluster,
                ["primary"] = PrimaryCluster(topology),
                ["source"] = Names(topology, peer).Cluster,
            };
            spec["externalClusters"] = new object?[]
            {
                ExternalCluster(topology, region, names, streams: false),
                ExternalCluster(topology, peer, names, streams: !isPrimary),
            };
        }

        return Objects.Create("postgresql.cnpg.io/v1", "Cluster", names.Cluster, topology.Namespace, new() { ["spec"] = spec }, annotations: Objects.AwaitUntil("condition=Ready", TimeSpan.FromMinutes(30)));
    }

    /// <summary>The ObjectStore a region archives to.</summary>
    public static string ObjectStoreName(TopologyConfig topology, RegionConfig region) =>
        region.ObjectStore?.Name ?? Names(topology, region).ObjectStore;

    private static Dictionary<string, object?> Role(string name, params string[] inRoles)
    {
        var role = new Dictionary<string, object?> { ["name"] = name, ["ensure"] = "present", ["login"] = true };
        if (inRoles.Length > 0)
        {
            role["inRoles"] = inRoles;
        }

        return role;
    }

    private static Dictionary<string, object?> ExternalCluster(TopologyConfig topology, RegionConfig target, ClusterNames local, bool streams)
    {
        var targetNames = Names(topology, target);
        var entry = new Dictionary<string, object?>
        {
            ["name"] = targetNames.Cluster,
            ["plugin"] = new Dictionary<string, object?>
            {
                ["name"] = Objects.BarmanCloudPlugin,
                ["parameters"] = new Dictionary<string, object?>
                {
                    ["barmanObjectName"] = ObjectStoreName(topology, target),
                    ["serverName"] = targetNames.Cluster,
                },
            },
        };
        if (streams && topology.Replication.Mode == ReplicationMode.Streaming)
        {
            // The primary's rw service has a twin in this region (a selector-less Service of the same name), so
            // the name dialled is the name in the server certificate and verify-full holds.
            entry["connectionParameters"] = new Dictionary<string, object?>
            {
                ["host"] = targetNames.ReadWriteService,
                ["port"] = Objects.PostgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["user"] = RoleNames.StreamingReplica,
                ["dbname"] = "postgres",
                ["sslmode"] = "verify-full",
            };
            entry["sslCert"] = Objects.SecretKey(local.ReplicationCertificateSecret, "tls.crt");
            entry["sslKey"] = Objects.SecretKey(local.ReplicationCertificateSecret, "tls.key");
            entry["sslRootCert"] = Objects.SecretKey(local.ServerCaSecret, "ca.crt");
        }

        return entry;
    }

    private static string PrimaryCluster(TopologyConfig topology) => new ClusterNames(topology.PrimaryRegion!, topology.Namespace).Cluster;

    private static ClusterNames Names(TopologyConfig topology, RegionConfig region) => new(region.Name!, topology.Namespace);
}
