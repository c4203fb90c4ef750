using CrossClusterIac.Infra.Components;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Infra.Stacks;

/// <summary>One region's Kubernetes objects as data, ready for the components.</summary>
public sealed record RegionManifests
{
    /// <summary>PKI Secrets with the material each key holds.</summary>
    public required IReadOnlyList<TlsSecret> Secrets { get; init; }

    /// <summary>The CNPG Cluster.</summary>
    public required CnpgObject Cluster { get; init; }

    /// <summary>The read-write Pooler.</summary>
    public required CnpgObject Pooler { get; init; }

    /// <summary>The ObjectStores the Cluster uses: its own, then its peer's.</summary>
    public required IReadOnlyList<CnpgObject> ObjectStores { get; init; }

    /// <summary>Base backup schedule, on the primary only.</summary>
    public CnpgObject? ScheduledBackup { get; init; }

    /// <summary>Services exposing rw and pooler to other regions.</summary>
    public required IReadOnlyList<ExposedService> Exposures { get; init; }

    /// <summary>Builds a region's objects from the validated topology and its PKI plan.</summary>
    public static RegionManifests For(TopologyConfig topology, PkiPlan plan, RegionConfig region)
    {
        var name = region.Name!;
        var names = new ClusterNames(name, topology.Namespace);
        var certificates = plan.ForRegion(name);
        var primary = topology.Regions.Single(r => r.Name == topology.PrimaryRegion);
        var isPrimary = region.Name == primary.Name;
        var peer = isPrimary ? topology.Regions.FirstOrDefault(r => r.Name != name) : primary;
        var waitFor = new Dictionary<string, string>
        {
            ["pulumi.com/waitFor"] = "condition=Ready",
            ["pulumi.com/timeoutSeconds"] = "1800",
        };

        return new RegionManifests
        {
            Secrets = PkiSecrets(names, plan, certificates),
            Cluster = new CnpgObject(names.Cluster, waitFor, ClusterSpec(topology, region, peer, isPrimary)),
            Pooler = new CnpgObject(names.Pooler, new Dictionary<string, string>
            {
                ["pulumi.com/waitFor"] = "jsonpath={.status.phase}=active",
                ["pulumi.com/timeoutSeconds"] = "600",
            }, PoolerSpec(topology, names)),
            ObjectStores = new[] { region, peer }.OfType<RegionConfig>().Select(r => StoreFor(r)).ToList(),
            ScheduledBackup = isPrimary
                ? new CnpgObject(names.ScheduledBackup, new Dictionary<string, string>(), new Dictionary<string, object>
                {
                    ["schedule"] = topology.Postgres.BackupSchedule,
                    ["backupOwnerReference"] = "self",
                    ["method"] = "plugin",
                    ["cluster"] = new Dictionary<string, object> { ["name"] = names.Cluster },
                    ["pluginConfiguration"] = new Dictionary<string, object> { ["name"] = BarmanPlugin },
                })
                : null,
            Exposures = ExposuresOf(names, region.Exposure!),
        };
    }

    private const string BarmanPlugin = "barman-cloud.cloudnative-pg.io";

    private static List<TlsSecret> PkiSecrets(ClusterNames names, PkiPlan plan, RegionalCertificates certificates)
    {
        TlsSecret Leaf(string secret, CertificateSpec spec) => new(secret, "kubernetes.io/tls", new Dictionary<string, SecretMaterial>
        {
            ["tls.crt"] = new(spec, MaterialPart.Chain),
            ["tls.key"] = new(spec, MaterialPart.PrivateKey),
        });

        // ca.crt must hold a self-signed anchor: OpenSSL refuses an intermediate-only trust store.
        TlsSecret Anchor(string secret) => new(secret, "Opaque", new Dictionary<string, SecretMaterial>
        {
            ["ca.crt"] = new(plan.Root, MaterialPart.Certificate),
        });

        return
        [
            Leaf(names.ServerCertificateSecret, certificates.Server),
            Anchor(names.ServerCaSecret),
            Anchor(names.ClientCaSecret),
            Leaf(names.ReplicationCertificateSecret, certificates.Replication),
            Leaf(names.AppCertificateSecret, certificates.App),
            Leaf(names.PoolerBackendCertificateSecret, certificates.PoolerBackend),
            Leaf(names.VerifyCertificateSecret, certificates.Verify),
        ];
    }

    private static Dictionary<string, object> ClusterSpec(TopologyConfig topology, RegionConfig region, RegionConfig? peer, bool isPrimary)
    {
        var names = new ClusterNames(region.Name!, topology.Namespace);
        var postgres = topology.Postgres;
        var spec = new Dictionary<string, object>
        {
            ["instances"] = postgres.Instances,
            ["imageName"] = postgres.Image,
            ["storage"] = new Dictionary<string, object> { ["size"] = postgres.StorageSize },
            ["certificates"] = new Dictionary<string, object>
            {
                ["serverTLSSecret"] = names.ServerCertificateSecret,
                ["serverCASecret"] = names.ServerCaSecret,
                ["clientCASecret"] = names.ClientCaSecret,
                ["replicationTLSSecret"] = names.ReplicationCertificateSecret,
            },
            ["postgresql"] = new Dictionary<string, object>
            {
                ["pg_hba"] = new[]
                {
                    $"hostssl all {postgres.Owner} all cert map=crosscluster",
                    $"hostssl all {RoleNames.Verify} all cert map=crosscluster",
                },
                ["pg_ident"] = new[]
                {
                    $"crosscluster {postgres.Owner} {postgres.Owner}",
                    $"crosscluster {RoleNames.Pooler} {postgres.Owner}",
                    $"crosscluster {RoleNames.Verify} {RoleNames.Verify}",
                    $"crosscluster {RoleNames.Pooler} {RoleNames.Verify}",
                },
            },
            ["plugins"] = new object[]
            {
                new Dictionary<string, object>
                {
                    ["name"] = BarmanPlugin,
                    ["isWALArchiver"] = true,
                    ["parameters"] = new Dictionary<string, object> { ["barmanObjectName"] = StoreName(region) },
                },
            },
        };
        if (postgres.WalStorageSize is { } wal)
        {
            spec["walStorage"] = new Dictionary<string, object> { ["size"] = wal };
        }

        spec["bootstrap"] = isPrimary
            ? new Dictionary<string, object>
            {
                ["initdb"] = new Dictionary<string, object>
                {
                    ["database"] = postgres.Database,
                    ["owner"] = postgres.Owner,
                    ["postInitSQL"] = new[] { $"CREATE ROLE {RoleNames.Verify} LOGIN IN ROLE pg_monitor" },
                },
            }
            : new Dictionary<string, object>
            {
                ["recovery"] = new Dictionary<string, object> { ["source"] = ClusterOf(topology, peer!) },
            };

        if (peer is not null)
        {
            var primaryName = ClusterOf(topology, isPrimary ? region : peer);
            spec["replica"] = new Dictionary<string, object>
            {
                ["self"] = names.Cluster,
                ["primary"] = primaryName,
                ["source"] = ClusterOf(topology, peer),
            };
            spec["externalClusters"] = new object[]
            {
                ExternalCluster(topology, region, names, streamFrom: false),
                ExternalCluster(topology, peer, names, streamFrom: !isPrimary && topology.Replication.Mode == ReplicationMode.Streaming),
            };
        }

        return spec;
    }

    private static Dictionary<string, object> ExternalCluster(TopologyConfig topology, RegionConfig target, ClusterNames local, bool streamFrom)
    {
        var targetNames = new ClusterNames(target.Name!, topology.Namespace);
        var entry = new Dictionary<string, object>
        {
            ["name"] = targetNames.Cluster,
            ["plugin"] = new Dictionary<string, object>
            {
                ["name"] = BarmanPlugin,
                ["parameters"] = new Dictionary<string, object>
                {
                    ["barmanObjectName"] = StoreName(target),
                    ["serverName"] = targetNames.Cluster,
                },
            },
        };
        if (streamFrom)
        {
            // The remote rw service has a local twin (CrossClusterEndpoint), so the name matches the server certificate.
            entry["connectionParameters"] = new Dictionary<string, object>
            {
                ["host"] = targetNames.ReadWriteService,
                ["port"] = "5432",
                ["user"] = RoleNames.StreamingReplica,
                ["dbname"] = "postgres",
                ["sslmode"] = "verify-full",
            };
            entry["sslCert"] = new Dictionary<string, object> { ["name"] = local.ReplicationCertificateSecret, ["key"] = "tls.crt" };
            entry["sslKey"] = new Dictionary<string, object> { ["name"] = local.ReplicationCertificateSecret, ["key"] = "tls.key" };
            entry["sslRootCert"] = new Dictionary<string, object> { ["name"] = local.ServerCaSecret, ["key"] = "ca.crt" };
        }

        return entry;
    }

    private static Dictionary<string, object> PoolerSpec(TopologyConfig topology, ClusterNames names) => new()
    {
        ["cluster"] = new Dictionary<string, object> { ["name"] = names.Cluster },
        ["instances"] = topology.Postgres.PoolerInstances,
        ["type"] = "rw",
        ["pgbouncer"] = new Dictionary<string, object>
        {
            ["poolMode"] = "session",
            ["authQuery"] = "SELECT $1, NULL",
            ["serverTLSSecret"] = new Dictionary<string, object> { ["name"] = names.PoolerBackendCertificateSecret },
            ["serverCASecret"] = new Dictionary<string, object> { ["name"] = names.ServerCaSecret },
            ["clientTLSSecret"] = new Dictionary<string, object> { ["name"] = names.ServerCertificateSecret },
            ["clientCASecret"] = new Dictionary<string, object> { ["name"] = names.ClientCaSecret },
            ["parameters"] = new Dictionary<string, object>
            {
                ["auth_type"] = "cert",
                ["client_tls_sslmode"] = "verify-full",
                ["server_tls_sslmode"] = "verify-full",
            },
        },
    };

    private static CnpgObject StoreFor(RegionConfig region)
    {
        var store = region.ObjectStore!;
        var credentials = store.Credentials!;
        return new CnpgObject(StoreName(region), new Dictionary<string, string>(), new Dictionary<string, object>
        {
            ["configuration"] = new Dictionary<string, object>
            {
                ["destinationPath"] = store.DestinationPath!,
                ["endpointURL"] = store.EndpointUrl!,
                ["s3Credentials"] = new Dictionary<string, object>
                {
                    ["accessKeyId"] = new Dictionary<string, object> { ["name"] = credentials.SecretName!, ["key"] = credentials.AccessKeyIdKey },
                    ["secretAccessKey"] = new Dictionary<string, object> { ["name"] = credentials.SecretName!, ["key"] = credentials.SecretAccessKeyKey },
                },
                ["wal"] = new Dictionary<string, object> { ["compression"] = "gzip" },
            },
        });
    }

    private static List<ExposedService> ExposuresOf(ClusterNames names, ExposureConfig exposure)
    {
        var type = exposure.Type.ToString();
        return
        [
            new(names.ReadWriteExposure, type, new Dictionary<string, string>
            {
                ["cnpg.io/cluster"] = names.Cluster,
                ["cnpg.io/instanceRole"] = "primary",
            }, exposure.RwPort, 5432),
            new(names.PoolerExposure, type, new Dictionary<string, string> { ["cnpg.io/poolerName"] = names.Pooler }, exposure.PoolerPort, 5432),
        ];
    }

    private static string StoreName(RegionConfig region) =>
        region.ObjectStore?.Name ?? new ClusterNames(region.Name!, "default").ObjectStore;

    private static string ClusterOf(TopologyConfig topology, RegionConfig region) =>
        new ClusterNames(region.Name!, topology.Namespace).Cluster;
}
