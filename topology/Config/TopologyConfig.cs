namespace CrossClusterIac.Topology.Config;

/// <summary>
/// The whole disaster-recovery topology of one environment: what a stack file holds under
/// <c>cross-cluster-dr:topology</c>. Every optional field has a default so a playground config stays short.
/// </summary>
public sealed record TopologyConfig
{
    /// <summary>Kubernetes namespace every region deploys into, and whether the program creates it.</summary>
    public NamespaceConfig Namespace { get; init; } = new();

    /// <summary>Name of the region that runs the primary cluster.</summary>
    public string? PrimaryRegion { get; init; }

    /// <summary>PostgreSQL settings shared by every region.</summary>
    public PostgresSettings Postgres { get; init; } = new();

    /// <summary>The regions, primary included, in declaration order.</summary>
    public IReadOnlyList<RegionConfig> Regions { get; init; } = [];

    /// <summary>Certificate settings for the shared root and the regional intermediates.</summary>
    public PkiSettings Pki { get; init; } = new();

    /// <summary>How replica regions follow the primary.</summary>
    public ReplicationSettings Replication { get; init; } = new();

    /// <summary>Prometheus Operator objects per region: scraping and alerts.</summary>
    public MonitoringSettings Monitoring { get; init; } = new();

    /// <summary>A controlled switchover of the primary to another region, while one is under way; <c>null</c> otherwise.</summary>
    public SwitchoverConfig? Switchover { get; init; }
}

/// <summary>
/// A controlled switchover as desired state, CNPG's distributed-topology procedure in two phases: without a token
/// the primary is demoted (its <c>replica.primary</c> names the target, which keeps following it); with the old
/// primary's demotion token the target is promoted and every region follows it. Completing it means setting
/// <c>primaryRegion</c> to the target and removing this key.
/// </summary>
public sealed record SwitchoverConfig
{
    /// <summary>The region that becomes primary.</summary>
    public string? To { get; init; }

    /// <summary>
    /// The old primary's <c>.status.demotionToken</c>, which phase 2 gives the target as <c>replica.promotionToken</c>.
    /// A stack keeps it in the secret config value <c>cross-cluster-dr:promotionToken</c>, not here.
    /// </summary>
    public string? PromotionToken { get; init; }
}

/// <summary>
/// The namespace of every region. A stack file may write it as a name alone (<c>namespace: databases</c>), which
/// the program creates in each region; <c>create: false</c> says it already exists there and is not the program's.
/// </summary>
public sealed record NamespaceConfig
{
    /// <summary>The namespace name.</summary>
    public string Name { get; init; } = "default";

    /// <summary>Whether the program declares the namespace; unset means yes, except for Kubernetes' own namespaces.</summary>
    public bool? Create { get; init; }

    /// <summary>Namespaces every cluster has from the start (kube-apiserver creates them), never ours to create or delete.</summary>
    public static readonly IReadOnlySet<string> Preexisting = new HashSet<string>(StringComparer.Ordinal) { "default", "kube-system", "kube-public", "kube-node-lease" };

    /// <summary>Whether the program declares (and on destroy deletes) the namespace.</summary>
    public bool Declared => Create ?? !Preexisting.Contains(Name);
}

/// <summary>PostgreSQL image, size and database settings.</summary>
public sealed record PostgresSettings
{
    /// <summary>
    /// Operand image for every CNPG cluster (one for every region, so every physical replica runs the primary's glibc),
    /// named with its OS release or pinned by digest (<see cref="OperandImage"/>).
    /// </summary>
    public string Image { get; init; } = OperandImage.Default;

    /// <summary>
    /// PostgreSQL parameters for every Cluster (<c>spec.postgresql.parameters</c>), over the project's WAN defaults
    /// (<see cref="WanParameters"/>); CNPG's fixed parameters are refused.
    /// </summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>PostgreSQL instances per region.</summary>
    public int Instances { get; init; } = 1;

    /// <summary>PGDATA volume size, as a Kubernetes quantity.</summary>
    public string StorageSize { get; init; } = "1Gi";

    /// <summary>Separate WAL volume size, or <c>null</c> to keep WAL on the data volume.</summary>
    public string? WalStorageSize { get; init; }

    /// <summary>Application database, owned by the application role.</summary>
    public string Database { get; init; } = "app";

    /// <summary>Application role that logs in with a client certificate.</summary>
    public string Owner { get; init; } = "app";

    /// <summary>Pooler instances per region.</summary>
    public int PoolerInstances { get; init; } = 1;

    /// <summary>Cron schedule (with seconds, as CNPG expects) of the primary's base backups.</summary>
    public string BackupSchedule { get; init; } = "0 0 0 * * *";

    /// <summary>
    /// CPU and memory of each PostgreSQL instance (the Cluster's <c>spec.resources</c>): requested, so that the scheduler
    /// places it where they are and the kubelet evicts it last, and memory limited to what is requested, as CNPG's
    /// resource-management docs advise (an instance is not killed for memory another pod lent it).
    /// </summary>
    public ResourceSettings Resources { get; init; } = new()
    {
        Requests = new Dictionary<string, string>(StringComparer.Ordinal) { ["cpu"] = "500m", ["memory"] = "1Gi" },
        Limits = new Dictionary<string, string>(StringComparer.Ordinal) { ["memory"] = "1Gi" },
    };

    /// <summary>CPU and memory of each PgBouncer pod (the Pooler's pod template, container <c>pgbouncer</c>).</summary>
    public ResourceSettings PoolerResources { get; init; } = new()
    {
        Requests = new Dictionary<string, string>(StringComparer.Ordinal) { ["cpu"] = "100m", ["memory"] = "64Mi" },
        Limits = new Dictionary<string, string>(StringComparer.Ordinal) { ["memory"] = "256Mi" },
    };

    /// <summary>StorageClass of the data and WAL volumes, or <c>null</c> for the cluster's default class.</summary>
    public string? StorageClass { get; init; }

    /// <summary>
    /// Whether a region's instances are spread across zones (anti-affinity on <c>topology.kubernetes.io/zone</c>,
    /// preferred) rather than only across nodes, CNPG's default.
    /// </summary>
    public bool SpreadAcrossZones { get; init; } = true;

    /// <summary>
    /// CNPG's PodDisruptionBudgets (<c>spec.enablePDB</c>); unset, on with two instances or more and off with one, whose
    /// primary's budget would block every drain of its node.
    /// </summary>
    public bool? EnablePdb { get; init; }
}

/// <summary>Kubernetes resource requests and limits (<c>cpu</c>, <c>memory</c>) as quantities.</summary>
public sealed record ResourceSettings
{
    /// <summary>What the scheduler reserves.</summary>
    public IReadOnlyDictionary<string, string> Requests { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>What the container may not exceed.</summary>
    public IReadOnlyDictionary<string, string> Limits { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>One region: a Kubernetes cluster with its object store and its address for other regions.</summary>
public sealed record RegionConfig
{
    /// <summary>Short DNS-label name, e.g. <c>eu</c>; the cluster is <c>pg-&lt;name&gt;</c>.</summary>
    public string? Name { get; init; }

    /// <summary>kubeconfig context of the region's cluster.</summary>
    public string? KubeContext { get; init; }

    /// <summary>Where the region keeps base backups and archived WAL.</summary>
    public ObjectStoreConfig? ObjectStore { get; init; }

    /// <summary>How the region's services are reached from other regions.</summary>
    public ExposureConfig? Exposure { get; init; }

    /// <summary>How the region follows the primary while it is a replica.</summary>
    public RegionReplicationConfig? Replication { get; init; }
}

/// <summary>A replica region's own replication settings.</summary>
public sealed record RegionReplicationConfig
{
    /// <summary>
    /// How long the region holds back replaying each transaction after its commit (CNPG <c>replica.minApplyDelay</c>,
    /// PostgreSQL <c>recovery_min_apply_delay</c>), e.g. <c>1h</c>: a copy to recover from a mistaken DROP TABLE. WAL
    /// still arrives at once; only its replay waits.
    /// </summary>
    public string? MinApplyDelay { get; init; }
}

/// <summary>A barman-cloud ObjectStore (S3-compatible).</summary>
public sealed record ObjectStoreConfig
{
    /// <summary>Name of the ObjectStore resource.</summary>
    public string? Name { get; init; }

    /// <summary>S3 endpoint URL, e.g. <c>http://minio-eu:9000</c>.</summary>
    public string? EndpointUrl { get; init; }

    /// <summary>Bucket path for backups, e.g. <c>s3://backups/</c>.</summary>
    public string? DestinationPath { get; init; }

    /// <summary>Existing Secret with the S3 credentials, or the pod's IAM role.</summary>
    public ObjectStoreCredentials? Credentials { get; init; }

    /// <summary>
    /// How long base backups are kept, and the WAL needed to restore them (barman-cloud's <c>retentionPolicy</c>,
    /// <c>&lt;n&gt;d|w|m</c>): older ones are deleted by the plugin after each backup. Without one the archive grows forever.
    /// </summary>
    public string RetentionPolicy { get; init; } = "30d";

    /// <summary>Compression of base backups (<c>data.compression</c>: bzip2, gzip, lz4 or snappy); WAL is gzip-compressed.</summary>
    public string BackupCompression { get; init; } = "gzip";

    /// <summary>WAL files archived, or restored, in parallel (<c>wal.maxParallel</c>): a replica region catching up from the archive restores this many at once.</summary>
    public int WalMaxParallel { get; init; } = 4;

    /// <summary>Server-side encryption of backups and WAL (<c>AES256</c> or <c>aws:kms</c>), or <c>null</c> for the bucket's default.</summary>
    public string? Encryption { get; init; }
}

/// <summary>Reference to the Secret that holds S3 credentials.</summary>
public sealed record ObjectStoreCredentials
{
    /// <summary>Secret name in the region's namespace; none with <see cref="InheritFromIamRole"/>.</summary>
    public string? SecretName { get; init; }

    /// <summary>Whether the instances take S3 credentials from their pods' IAM role (EKS IRSA, Pod Identity) instead of a Secret.</summary>
    public bool InheritFromIamRole { get; init; }

    /// <summary>
    /// With <see cref="InheritFromIamRole"/>, the IAM role IRSA gives the Cluster's service account (its
    /// <c>eks.amazonaws.com/role-arn</c> annotation, through <c>spec.serviceAccountTemplate</c>); none for EKS Pod Identity,
    /// whose association is made outside the cluster.
    /// </summary>
    public string? IamRoleArn { get; init; }

    /// <summary>Key of the access key id inside the Secret.</summary>
    public string AccessKeyIdKey { get; init; } = "ACCESS_KEY_ID";

    /// <summary>Key of the secret access key inside the Secret.</summary>
    public string SecretAccessKeyKey { get; init; } = "ACCESS_SECRET_KEY";
}

/// <summary>How a region exposes its read-write and pooler services to other regions.</summary>
public sealed record ExposureConfig
{
    /// <summary>Service type used for exposure.</summary>
    public ExposureType Type { get; init; } = ExposureType.NodePort;

    /// <summary>
    /// NodePort only: the node address other regions connect to (an IPv4 or IPv6 address), or <c>auto</c> for
    /// the first node's InternalIP, read from the cluster at deploy time. A LoadBalancer's addresses come from
    /// its Services' status, one per Service.
    /// </summary>
    public string? Address { get; init; }

    /// <summary>Whether the address is discovered at deploy time rather than configured.</summary>
    public bool DiscoversAddress => Type == ExposureType.LoadBalancer || Address == DiscoveredAddress;

    /// <summary>The <see cref="Address"/> value that asks for discovery.</summary>
    public const string DiscoveredAddress = "auto";

    /// <summary>Port of the read-write service as seen by other regions, when the config sets it.</summary>
    public int? RwPort { get; init; }

    /// <summary>Port of the pooler service as seen by other regions, when the config sets it.</summary>
    public int? PoolerPort { get; init; }

    /// <summary>The read-write port other regions dial: the config's, else 30432 on a NodePort, 5432 on a load balancer.</summary>
    public int RwPortOrDefault => RwPort ?? (Type == ExposureType.NodePort ? 30432 : PostgresPort);

    /// <summary>The pooler port other regions dial: the config's, else 30433 on a NodePort, 5432 on a load balancer.</summary>
    public int PoolerPortOrDefault => PoolerPort ?? (Type == ExposureType.NodePort ? 30433 : PostgresPort);

    /// <summary>What a LoadBalancer exposure says about who may reach it and what address its cloud gives.</summary>
    public LoadBalancerConfig? LoadBalancer { get; init; }

    /// <summary>The port PostgreSQL and PgBouncer serve on inside every cluster, and a twin Service's port.</summary>
    public const int PostgresPort = 5432;
}

/// <summary>A LoadBalancer exposure: the cloud's annotations, the client ranges, and the kind of address it reports.</summary>
public sealed record LoadBalancerConfig
{
    /// <summary>Annotations of both exposure Services, e.g. the one that makes the cloud's load balancer internal.</summary>
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>CIDRs allowed to connect (the Services' <c>loadBalancerSourceRanges</c>).</summary>
    public IReadOnlyList<string> SourceRanges { get; init; } = [];

    /// <summary>Says, explicitly, that a load balancer with neither annotations nor source ranges may be reachable by anyone.</summary>
    public bool Public { get; init; }

    /// <summary>Whether the cloud reports the load balancer as an IP (most clouds, MetalLB) or a hostname (AWS).</summary>
    public IngressKind Ingress { get; init; } = IngressKind.Ip;
}

/// <summary>The kind of address a load balancer's <c>status.loadBalancer.ingress</c> gives.</summary>
public enum IngressKind
{
    /// <summary>An IPv4 or IPv6 address: other regions get an EndpointSlice to it.</summary>
    Ip,

    /// <summary>A DNS name: other regions get an ExternalName Service to it.</summary>
    Hostname,
}

/// <summary>Service type a region uses to expose itself.</summary>
public enum ExposureType
{
    /// <summary>A NodePort on every node; the address is a node address.</summary>
    NodePort,

    /// <summary>A LoadBalancer service; the address is the load balancer's.</summary>
    LoadBalancer,
}

/// <summary>Certificate settings.</summary>
public sealed record PkiSettings
{
    /// <summary>Key algorithm of every key in the PKI.</summary>
    public KeyAlgorithm KeyAlgorithm { get; init; } = KeyAlgorithm.EcdsaP256;

    /// <summary>Validity of each certificate tier.</summary>
    public ValiditySettings Validity { get; init; } = new();

    /// <summary>Subject organisation (O=) of every certificate.</summary>
    public string Organization { get; init; } = "CrossClusterIac";

    /// <summary>How long before its expiry an update re-issues a certificate, per tier.</summary>
    public RenewalSettings RenewBeforeDays { get; init; } = new();

    /// <summary>Generation of the root that signs the intermediates: 1 for a new stack, one more after each completed root rotation.</summary>
    public int RootGeneration { get; init; } = 1;

    /// <summary>The phase of a rotation to root generation <see cref="RootGeneration"/> + 1, or <c>null</c> when none is under way.</summary>
    public RootRotationPhase? RootRotation { get; init; }
}

/// <summary>
/// Days before expiry at which an update re-issues a certificate of each tier. A tier left out renews when a third
/// of its validity is left, as cert-manager's default <c>renewBefore</c> does.
/// </summary>
public sealed record RenewalSettings
{
    /// <summary>Root CA renewal window, or <c>null</c> for a third of its validity.</summary>
    public int? RootDays { get; init; }

    /// <summary>Regional intermediate CA renewal window, or <c>null</c> for a third of its validity.</summary>
    public int? IntermediateDays { get; init; }

    /// <summary>Leaf certificate renewal window, or <c>null</c> for a third of its validity.</summary>
    public int? LeafDays { get; init; }

    /// <summary>The window of <paramref name="tier"/>, in days, given the tiers' validity.</summary>
    public int DaysFor(CertificateTier tier, ValiditySettings validity) => tier switch
    {
        CertificateTier.Root => RootDays ?? Math.Max(1, validity.RootDays / 3),
        CertificateTier.Intermediate => IntermediateDays ?? Math.Max(1, validity.IntermediateDays / 3),
        CertificateTier.Leaf => LeafDays ?? Math.Max(1, validity.LeafDays / 3),
        _ => throw new ArgumentOutOfRangeException(nameof(tier), tier, "Unknown certificate tier."),
    };
}

/// <summary>A tier of the PKI: what renews together and what a rotation names.</summary>
public enum CertificateTier
{
    /// <summary>The shared root.</summary>
    Root,

    /// <summary>The regional server and client intermediates.</summary>
    Intermediate,

    /// <summary>Every certificate a server or client presents.</summary>
    Leaf,
}

/// <summary>
/// The phases of replacing the root with a new key. Each is one update, applied everywhere before the next starts:
/// no phase leaves two peers without a root they both trust, but skipping one does.
/// </summary>
public enum RootRotationPhase
{
    /// <summary>The next root exists and every trust bundle holds both roots; the current root still signs.</summary>
    TrustNext,

    /// <summary>The intermediates, and so every leaf, are re-issued under the next root; bundles still hold both.</summary>
    SignWithNext,
}

/// <summary>Validity in days per certificate tier; each tier must end before its issuer.</summary>
public sealed record ValiditySettings
{
    /// <summary>
    /// Longest validity of any tier: 100 years. Far within what X.509 can state (GeneralizedTime ends with
    /// 9999-12-31, RFC 5280 4.1.2.5), what .NET's <see cref="DateTimeOffset"/> adds up to, and Pulumi.Tls's
    /// <c>validityPeriodHours</c> (an int: 876,000 hours), where 2147483647 days overflowed every one of them.
    /// </summary>
    public const int MaxDays = 36_500;

    /// <summary>Root CA validity.</summary>
    public int RootDays { get; init; } = 3650;

    /// <summary>Regional intermediate CA validity.</summary>
    public int IntermediateDays { get; init; } = 1825;

    /// <summary>Leaf certificate validity.</summary>
    public int LeafDays { get; init; } = 365;
}

/// <summary>Supported key algorithms.</summary>
public enum KeyAlgorithm
{
    /// <summary>ECDSA on NIST P-256 (default: fast to generate, small).</summary>
    EcdsaP256,

    /// <summary>RSA with a 2048-bit modulus.</summary>
    Rsa2048,

    /// <summary>RSA with a 4096-bit modulus.</summary>
    Rsa4096,
}

/// <summary>
/// Monitoring as code: per region a PodMonitor for the Cluster and one for the Pooler (Prometheus Operator's
/// <c>monitoring.coreos.com/v1</c>), a PrometheusRule with the topology's alerts, and a custom query that exports the
/// certificates' end dates. Off by default: the playground has no Prometheus Operator.
/// </summary>
public sealed record MonitoringSettings
{
    /// <summary>Whether the monitoring objects are declared.</summary>
    public bool Enabled { get; init; }

    /// <summary>Replay lag, in seconds beyond a replica's own delay, above which the lag alert fires.</summary>
    public int ReplicationLagSeconds { get; init; } = 300;

    /// <summary>
    /// In <c>replication.mode: archive</c>, how far, in seconds beyond a replica's own delay, a replica may trail the
    /// primary's last commit before <c>CrossClusterArchiveReplayStalled</c> fires; <c>null</c> renders no such rule. Only
    /// right where the primary commits at least every (this − the archive timeout) seconds: a replica of a quiet primary
    /// reads the same lag as one whose restore stopped.
    /// </summary>
    public int? ArchiveReplicaLagSeconds { get; init; }

    /// <summary>Labels on the PodMonitors and PrometheusRules, so the Prometheus' selectors pick them (e.g. <c>release: prometheus</c>).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}

/// <summary>Replication settings.</summary>
public sealed record ReplicationSettings
{
    /// <summary>How replicas receive WAL.</summary>
    public ReplicationMode Mode { get; init; } = ReplicationMode.Streaming;

    /// <summary>
    /// The longest a segment holding writes stays open before it is archived (PostgreSQL's <c>archive_timeout</c>, see
    /// <see cref="Config.ArchiveTimeout"/>), e.g. <c>1m</c>; <c>null</c> keeps CNPG's 5min.
    /// </summary>
    public string? ArchiveTimeout { get; init; }
}

/// <summary>How a replica cluster receives WAL from the primary.</summary>
public enum ReplicationMode
{
    /// <summary>Stream over mutual TLS, falling back to the WAL archive in object storage.</summary>
    Streaming,

    /// <summary>Replay from the WAL archive only (no network path between regions needed).</summary>
    Archive,
}
