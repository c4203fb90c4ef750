using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>The objects that accompany a region's Cluster: its Pooler, the ObjectStores, the backup schedule.</summary>
internal static class CnpgCompanions
{
    /// <summary>How long PgBouncer waits after a failed server login before it tries PostgreSQL again (see <see cref="Pooler"/>).</summary>
    public const int ServerLoginRetrySeconds = 1;

    /// <summary>The Pooler's auth query: the login roles, never a password.</summary>
    public const string AuthQuery = "SELECT usename, NULL FROM pg_catalog.pg_user WHERE usename = $1";

    /// <summary>
    /// PgBouncer with certificates both ways: clients present certificates from any region's client intermediate
    /// (trust is the shared root), PgBouncer presents its backend identity to PostgreSQL.
    /// </summary>
    public static Manifest Pooler(TopologyConfig topology, ClusterNames names) =>
        Objects.Create("postgresql.cnpg.io/v1", "Pooler", names.Pooler, topology.Namespace.Name, new()
        {
            ["spec"] = new Dictionary<string, object?>
            {
                ["cluster"] = Objects.Reference(names.Cluster),
                ["instances"] = topology.Postgres.PoolerInstances,
                ["type"] = "rw",
                // CNPG merges the template's pgbouncer container into the one it builds (docs/src/connection_pooling.md,
                // "Pod templates"); a PodSpec needs its containers list.
                ["template"] = new Dictionary<string, object?>
                {
                    ["spec"] = new Dictionary<string, object?>
                    {
                        ["containers"] = new object?[]
                        {
                            new Dictionary<string, object?> { ["name"] = "pgbouncer", ["resources"] = ClusterManifest.Resources(topology.Postgres.PoolerResources) },
                        },
                    },
                },
                ["pgbouncer"] = new Dictionary<string, object?>
                {
                    ["poolMode"] = "session",
                    // CNPG's webhook requires an auth query with serverTLSSecret, and PgBouncer runs it (as auth_user,
                    // in auth_dbname postgres) for every login not in an auth_file, whatever auth_type is (pgbouncer
                    // src/client.c set_pool -> start_auth_query). With auth_type cert no password is compared, so the
                    // query only says whether the login role exists; a NULL password can never match.
                    ["authQuery"] = AuthQuery,
                    ["serverTLSSecret"] = Objects.Reference(names.PoolerBackendCertificateSecret),
                    ["serverCASecret"] = Objects.Reference(names.ServerCaSecret),
                    ["clientTLSSecret"] = Objects.Reference(names.ServerCertificateSecret),
                    ["clientCASecret"] = Objects.Reference(names.ClientCaSecret),
                    ["parameters"] = new Dictionary<string, object?>
                    {
                        ["auth_type"] = "cert",
                        ["client_tls_sslmode"] = "verify-full",
                        ["server_tls_sslmode"] = "verify-full",

                        // While its last server login failed and it holds no server connection, PgBouncer refuses every
                        // client ("server login has been failing, try again later (server_login_retry)": src/objects.c
                        // check_fast_fail) and tries a new server connection at most once per server_login_retry
                        // (launch_new_connection). PgBouncer's 15 s keeps clients out up to 15 s after PostgreSQL accepts
                        // connections again (a restart, a switchover's demotion); 1 s bounds that to about a second, for one
                        // connection attempt per second per pool while PostgreSQL is down. CNPG's webhook allows it
                        // (internal/webhook/v1/pooler_webhook.go AllowedPgbouncerGenericConfigurationParameters).
                        ["server_login_retry"] = ServerLoginRetrySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    },
                },
            },
        }, annotations: Objects.AwaitUntil("jsonpath={.status.phase}=active", TimeSpan.FromMinutes(10)));

    /// <summary>The barman-cloud ObjectStore of <paramref name="region"/>, declared in whichever cluster needs it.</summary>
    public static Manifest ObjectStore(TopologyConfig topology, RegionConfig region)
    {
        var store = region.ObjectStore!;
        var credentials = store.Credentials!;
        var encryption = store.Encryption is { } sse ? new Dictionary<string, object?> { ["encryption"] = sse } : [];
        var configuration = new Dictionary<string, object?>
        {
            ["destinationPath"] = store.DestinationPath,
            ["endpointURL"] = store.EndpointUrl,
            ["s3Credentials"] = credentials.InheritFromIamRole
                ? new Dictionary<string, object?> { ["inheritFromIAMRole"] = true }
                : new Dictionary<string, object?>
                {
                    ["accessKeyId"] = Objects.SecretKey(credentials.SecretName!, credentials.AccessKeyIdKey),
                    ["secretAccessKey"] = Objects.SecretKey(credentials.SecretName!, credentials.SecretAccessKeyKey),
                },
            ["data"] = new Dictionary<string, object?>(encryption) { ["compression"] = store.BackupCompression },
            ["wal"] = new Dictionary<string, object?>(encryption) { ["compression"] = "gzip", ["maxParallel"] = store.WalMaxParallel },
        };
        return Objects.Create("barmancloud.cnpg.io/v1", "ObjectStore", ClusterManifest.ObjectStoreName(topology, region), topology.Namespace.Name, new()
        {
            // barman-cloud deletes base backups older than the policy, and the WAL only they needed, after each backup
            // (plugin-barman-cloud api/v1 objectstore_types.go: "the retention policy to be used for backups and WALs").
            ["spec"] = new Dictionary<string, object?> { ["configuration"] = configuration, ["retentionPolicy"] = store.RetentionPolicy },
        });
    }

    /// <summary>
    /// The primary region's first base backup, which replica regions recover from. A replica Cluster created
    /// before it exists fails its restore Job ("no target backup found") until Kubernetes' backoff gives up and CNPG
    /// marks the Cluster Unrecoverable; so each replica region's <see cref="BootstrapWait"/> waits for its completion
    /// when that region is created. Pulumi itself does not await it: an update that creates it (a switchover's
    /// completion, a failover) re-points the replicas without waiting for a full backup.
    /// </summary>
    public static Manifest BootstrapBackup(TopologyConfig topology, ClusterNames names) =>
        Objects.Create("postgresql.cnpg.io/v1", "Backup", names.BootstrapBackup, topology.Namespace.Name, new()
        {
            ["spec"] = new Dictionary<string, object?>
            {
                ["cluster"] = Objects.Reference(names.Cluster),
                ["method"] = "plugin",
                ["pluginConfiguration"] = Objects.Reference(Objects.BarmanCloudPlugin),
            },
        });

    /// <summary>The namespace itself (cluster-scoped: no namespace of its own).</summary>
    public static Manifest Namespace(TopologyConfig topology) =>
        Objects.Create("v1", "Namespace", topology.Namespace.Name, string.Empty, []);

    /// <summary>
    /// A base backup schedule; on a replica cluster CNPG takes it from the designated primary. The primary region's
    /// first backup is the <see cref="BootstrapBackup"/>; every other region takes one at once, so that its store
    /// holds a base backup whenever it becomes the primary.
    /// </summary>
    public static Manifest ScheduledBackup(TopologyConfig topology, ClusterNames names, bool isPrimary) =>
        Objects.Create("postgresql.cnpg.io/v1", "ScheduledBackup", names.ScheduledBackup, topology.Namespace.Name, new()
        {
            ["spec"] = new Dictionary<string, object?>
            {
                ["schedule"] = topology.Postgres.BackupSchedule,
                ["backupOwnerReference"] = "self",
                ["cluster"] = Objects.Reference(names.Cluster),
                ["method"] = "plugin",
                ["pluginConfiguration"] = Objects.Reference(Objects.BarmanCloudPlugin),
                ["immediate"] = !isPrimary,
            },
        });
}
