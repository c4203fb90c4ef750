using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// A region's CNPG Cluster in the distributed topology: <c>externalClusters</c> lists every member (see
/// <see cref="TopologyManifests.PeerOf"/>); a replica bootstraps from the primary's object store, then streams
/// from the primary's rw service with its <c>streaming_replica</c> certificate under verify-full.
/// </summary>
internal static class ClusterManifest
{
    // The last user pg_hba rule: nothing reaches CNPG's trailing password rule.
    private const string RejectEverythingElse = "host all all all reject";

    private const string IdentMap = "crosscluster";

    public static Manifest For(TopologyConfig topology, RegionConfig region, bool rebuilt = false)
    {
        var names = Names(topology, region);
        var postgres = topology.Postgres;
        var isPrimary = region.Name == topology.PrimaryRegion;
        var spec = new Dictionary<string, object?>
        {
            ["instances"] = postgres.Instances,
            ["imageName"] = postgres.Image,
            ["storage"] = Storage(postgres.StorageSize, postgres.StorageClass),
            ["resources"] = Resources(postgres.Resources),
            // CNPG's primary PodDisruptionBudget blocks every drain of the node of a one-instance cluster
            // (docs/src/kubernetes_upgrade.md): unless set, on only where another instance can take over.
            ["enablePDB"] = postgres.EnablePdb ?? postgres.Instances >= 2,
            ["affinity"] = new Dictionary<string, object?>
            {
                // CNPG spreads instances across nodes by default (kubernetes.io/hostname, preferred: api/v1 AffinityConfiguration);
                // across zones a zone's loss leaves a standby to promote.
                ["enablePodAntiAffinity"] = true,
                ["podAntiAffinityType"] = "preferred",
                ["topologyKey"] = postgres.SpreadAcrossZones ? "topology.kubernetes.io/zone" : "kubernetes.io/hostname",
            },
            ["certificates"] = new Dictionary<string, object?>
            {
                ["serverTLSSecret"] = names.ServerCertificateSecret,
                ["serverCASecret"] = names.ServerCaSecret,
                ["clientCASecret"] = names.ClientCaSecret,
                ["replicationTLSSecret"] = names.ReplicationCertificateSecret,
            },
            ["managed"] = new Dictionary<string, object?>
            {
                // The pooler's backend identity runs PgBouncer's auth query: CNPG creates cnpg_pooler_pgbouncer only
                // for poolers it integrates itself (not ours, which bring a serverTLSSecret), and refuses cnpg_* names
                // here, so the role is ours, declared and kept by CNPG's role reconciler.
                ["roles"] = new object?[] { Role(RoleNames.Verify, "pg_monitor"), Role(RoleNames.Pooler) },
            },
            ["postgresql"] = new Dictionary<string, object?>
            {
                // Certificates are the only way in: the CN names the role, through one ident map. CNPG appends
                // `host all all all scram-sha-256` after these rules and gives the owner a password (its -app Secret),
                // so the last rule refuses whatever the rules before it did not admit.
                ["pg_hba"] = new object?[]
                {
                    $"hostssl all {postgres.Owner} all cert map={IdentMap}",
                    $"hostssl all {RoleNames.Verify} all cert map={IdentMap}",
                    // PgBouncer runs its auth query as this identity in auth_dbname (postgres, PgBouncer 1.20 and later)
                    // or, before 1.20, in the client's database: it owns nothing in either.
                    $"hostssl all {RoleNames.Pooler} all cert map={IdentMap}",
                    RejectEverythingElse,
                },
                ["pg_ident"] = new object?[]
                {
                    $"{IdentMap} {postgres.Owner} {postgres.Owner}",
                    $"{IdentMap} {RoleNames.Verify} {RoleNames.Verify}",
                    $"{IdentMap} {RoleNames.Pooler} {RoleNames.Pooler}",
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
            // CNPG reads bootstrap only when it creates the Cluster; after a switchover completes it names the new
            // primary, which is what a region re-created later must recover from. The program leaves it out of
            // updates (ignoreChanges), so a completed switchover changes nothing in a running Cluster's bootstrap.
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
        // The same on every Cluster, as any of them may be promoted: the WAN timeouts, the user's parameters over them,
        // and archive_timeout (on a standby PostgreSQL switches no segments for it).
        var parameters = WanParameters.Defaults.Concat(postgres.Parameters).GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (object?)g.Last().Value, StringComparer.Ordinal);
        if (topology.Replication.ArchiveTimeout is { } archiveTimeout)
        {
            parameters["archive_timeout"] = ArchiveTimeout.Parameter(archiveTimeout);
        }

        ((Dictionary<string, object?>)spec["postgresql"]!)["parameters"] = parameters.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);

        if (topology.Monitoring.Enabled)
        {
            // The instances export the certificate query beside CNPG's default ones (api/v1 MonitoringConfiguration).
            spec["monitoring"] = new Dictionary<string, object?>
            {
                ["customQueriesConfigMap"] = new object?[] { Objects.SecretKey(MonitoringManifests.QueriesConfigMap(names), CertificateExpiries.Key) },
            };
        }

        if (region.ObjectStore?.Credentials?.IamRoleArn is { } roleArn)
        {
            // IRSA: the instances' service account carries the role (CNPG docs/src/appendixes/object_stores.md, "IAM Role
            // for Service Account"), which barman-cloud then inherits (inheritFromIAMRole).
            spec["serviceAccountTemplate"] = new Dictionary<string, object?>
            {
                ["metadata"] = new Dictionary<string, object?> { ["annotations"] = new Dictionary<string, object?> { ["eks.amazonaws.com/role-arn"] = roleArn } },
            };
        }

        if (postgres.WalStorageSize is { } walSize)
        {
            spec["walStorage"] = Storage(walSize, postgres.StorageClass);
        }

        if (TopologyManifests.PeerOf(topology, region) is { } peer)
        {
            var roles = ReplicaRoles.Of(topology);
            var replica = new Dictionary<string, object?>
            {
                ["self"] = names.Cluster,
                ["primary"] = new ClusterNames(roles.PrimaryNamedBy(region.Name!), topology.Namespace.Name).Cluster,
                ["source"] = Names(topology, peer).Cluster,
            };
            if (roles.Phase == SwitchoverPhase.Promote && roles.IsSelfPrimary(region.Name!))
            {
                // Set in the same update that makes the target its own primary: CNPG's webhook allows a promotionToken
                // only on a primary cluster (internal/webhook/v1/cluster_webhook.go validatePromotionToken).
                replica["promotionToken"] = topology.Switchover!.PromotionToken;
            }

            if (region.Replication?.MinApplyDelay is { } delay && !roles.IsSelfPrimary(region.Name!))
            {
                replica["minApplyDelay"] = delay;
            }

            spec["replica"] = replica;
            // CNPG's docs require every member of the distributed topology in every Cluster's externalClusters
            // (docs/src/replica_cluster.md), and any member can be the source after a switchover, so each other member
            // is a streaming source. The member a running Cluster was bootstrapped from stays its bootstrap.recovery.source
            // (ignoreChanges keeps it), and CNPG's webhook refuses an update too unless that entry is listed with a way to
            // recover (internal/webhook/v1/cluster_webhook.go validateBootstrapRecoverySource, run by ValidateUpdate):
            // streaming entries have connectionParameters; in archive mode every member is listed with its store.
            var streaming = topology.Replication.Mode == ReplicationMode.Streaming;
            spec["externalClusters"] = topology.Regions
                .Select(member => ExternalCluster(topology, member, names, streams: streaming && member != region, archive: ArchiveListed(topology, region, member)))
                .ToArray<object?>();
        }

        var annotations = Objects.AwaitUntil("condition=Ready", TimeSpan.FromMinutes(30));
        if (rebuilt)
        {
            annotations[RebuiltCluster.SkipEmptyWalArchiveCheck] = RebuiltCluster.Enabled;
        }

        return Objects.Create("postgresql.cnpg.io/v1", "Cluster", names.Cluster, topology.Namespace.Name, new() { ["spec"] = spec }, annotations: annotations);
    }

    /// <summary>
    /// How long a replica's connection attempt to its source may take (libpq's connect_timeout, whole seconds): past it,
    /// the attempt fails and the replica replays from the archive until its next attempt, wal_retrieve_retry_interval
    /// (5 s) later.
    /// </summary>
    public const int ReplicationConnectTimeoutSeconds = 10;

    /// <summary>
    /// Whether <paramref name="region"/>'s Cluster lists <paramref name="member"/>'s object store: its own and its peer's;
    /// in archive mode every member's, since a member listed without one has no way to recover from.
    /// </summary>
    public static bool ArchiveListed(TopologyConfig topology, RegionConfig region, RegionConfig member) =>
        topology.Replication.Mode == ReplicationMode.Archive || member == region || member == TopologyManifests.PeerOf(topology, region);

    /// <summary>Kubernetes requests and limits as a pod spec takes them.</summary>
    public static Dictionary<string, object?> Resources(ResourceSettings resources) => new()
    {
        ["requests"] = resources.Requests.ToDictionary(r => r.Key, r => (object?)r.Value, StringComparer.Ordinal),
        ["limits"] = resources.Limits.ToDictionary(r => r.Key, r => (object?)r.Value, StringComparer.Ordinal),
    };

    private static Dictionary<string, object?> Storage(string size, string? storageClass) =>
        storageClass is null
            ? new() { ["size"] = size }
            : new() { ["size"] = size, ["storageClass"] = storageClass };

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

    private static Dictionary<string, object?> ExternalCluster(TopologyConfig topology, RegionConfig target, ClusterNames local, bool streams, bool archive)
    {
        var targetNames = Names(topology, target);
        var entry = new Dictionary<string, object?> { ["name"] = targetNames.Cluster };
        if (archive)
        {
            entry["plugin"] = new Dictionary<string, object?>
            {
                ["name"] = Objects.BarmanCloudPlugin,
                ["parameters"] = new Dictionary<string, object?>
                {
                    ["barmanObjectName"] = ObjectStoreName(topology, target),
                    ["serverName"] = targetNames.Cluster,
                },
            };
        }

        if (streams)
        {
            // A region holds twins (selector-less Services of the same name) of its peer's services, and the peer is
            // whichever region is primary, so the name dialled is the source's and the name in its server
            // certificate: verify-full holds.
            entry["connectionParameters"] = new Dictionary<string, object?>
            {
                ["host"] = targetNames.ReadWriteService,
                ["port"] = Objects.PostgresPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["user"] = RoleNames.StreamingReplica,
                ["dbname"] = "postgres",
                ["sslmode"] = "verify-full",

                // PostgreSQL's WAL receiver reports itself streaming before it connects (src/backend/replication/
                // walreceiver.c WalReceiverMain), so while a connection attempt hangs, as one into a partition that
                // drops packets does until the kernel gives up (about 2 min on Linux), the startup process waits on it
                // instead of restoring from the archive (xlogrecovery.c WaitForWALToBecomeAvailable). libpq waits for
                // ever without connect_timeout; CNPG passes connectionParameters into primary_conninfo verbatim.
                ["connect_timeout"] = ReplicationConnectTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            entry["sslCert"] = Objects.SecretKey(local.ReplicationCertificateSecret, "tls.crt");
            entry["sslKey"] = Objects.SecretKey(local.ReplicationCertificateSecret, "tls.key");
            entry["sslRootCert"] = Objects.SecretKey(local.ServerCaSecret, "ca.crt");
        }

        return entry;
    }

    private static string PrimaryCluster(TopologyConfig topology) => new ClusterNames(topology.PrimaryRegion!, topology.Namespace.Name).Cluster;

    private static ClusterNames Names(TopologyConfig topology, RegionConfig region) => new(region.Name!, topology.Namespace.Name);
}
