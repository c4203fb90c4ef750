using System.Globalization;
using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Verify;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Every way the sandbox departs from what CNPG would do with the manifests, in one place, each for a reason
/// that <c>docs/cnpg-fidelity.md</c> gives with why it cannot hide a defect. Nothing else in the sandbox decides
/// a setting, a rule or a role.
/// </summary>
public static class SandboxOnly
{
    /// <summary>The superuser role of the administrator certificate the fault drills use.</summary>
    public const string AdministratorRole = "postgres";

    /// <summary>The ident map of <see cref="AdministratorRule"/>.</summary>
    public const string AdministratorMap = "sandbox_administrator";

    /// <summary>
    /// Lets the fault drills in as <c>postgres</c> over TLS with a certificate only the sandbox directory holds;
    /// in a pod that access is <c>kubectl exec</c> through CNPG's <c>local … peer</c> rule, which has no socket here.
    /// </summary>
    public static readonly string AdministratorRule = $"hostssl all {AdministratorRole} {SandboxTopology.Address}/32 cert map={AdministratorMap}";

    /// <summary>PostgreSQL parameters set over CNPG's.</summary>
    public static IReadOnlyDictionary<string, string> PostgresParameters(SandboxRegion region) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // No pod network: every server shares loopback, each on a port of its own, and nobody execs into a pod.
        ["listen_addresses"] = SandboxTopology.Address,
        ["port"] = region.InstancePort.ToString(CultureInfo.InvariantCulture),
        ["unix_socket_directories"] = string.Empty,

        // The log goes to pg_ctl's log file instead of CNPG's csvlog collector, which the sandbox cannot tail.
        ["logging_collector"] = "off",
        ["log_destination"] = "stderr",

        // A throwaway sandbox: durability across power loss buys nothing and costs seconds.
        ["fsync"] = "off",
    };

    /// <summary>
    /// The directory standing for the bucket of the ObjectStore named <paramref name="objectStore"/>:
    /// <c>&lt;sandbox&gt;/object-store/&lt;name&gt;</c>, made for each ObjectStore the manifests declare. One per name,
    /// as every region's object of that name points at the same bucket.
    /// </summary>
    public static string ObjectStore(string sandboxDirectory, string objectStore) => Path.Combine(sandboxDirectory, "object-store", objectStore);

    /// <summary>
    /// The <c>archive_command</c> in place of CNPG's <c>/controller/manager wal-archive … %p</c>, which has the
    /// barman-cloud plugin upload the segment to the Cluster's own store (<see cref="WalArchiving.ArchiveTo"/>): it copies
    /// <c>%p</c> to barman's key for it, <c>&lt;serverName&gt;/wals/&lt;first 16 hex digits&gt;/%f</c>, or <c>wals/%f</c> for
    /// a <c>.history</c> file (barman/clients/cloud_walarchive.py CloudWalUploader.upload_wal; barman/xlog.py hash_dir),
    /// uncompressed, through a temporary name and a rename so a reader never sees half a segment. A file of that name
    /// already there succeeds when identical and fails when it differs: barman-cloud-wal-archive would overwrite it (an
    /// S3 put; barman/cloud_providers/aws_s3.py upload_fileobj), but barman's own archiver refuses a different duplicate
    /// (barman/wal_archiver.py WalArchiver.archive_wal: DuplicateWalFile, MatchingDuplicateWalFile) and PostgreSQL 15's
    /// docs ask archive commands to "refuse to overwrite any pre-existing archive file" (26.3.1 Setting Up WAL
    /// Archiving), so the sandbox is the stricter. It fails when the store's directory is missing, as the plugin fails
    /// to read an ObjectStore no manifest declares. Without a store it succeeds and keeps nothing, as CNPG's
    /// wal-archive does with no backup configured.
    /// </summary>
    public static string ArchiveCommand(string sandboxDirectory, BarmanServer? store) => store is null
        ? "true"
        : $"{Locate(sandboxDirectory, store)}; test -d {Literal(ObjectStore(sandboxDirectory, store.ObjectStore))} || exit 1; if test -f \"$d/$f\"; then cmp -s \"%p\" \"$d/$f\"; else mkdir -p \"$d\" && cp \"%p\" \"$d/$f.tmp\" && mv \"$d/$f.tmp\" \"$d/$f\"; fi";

    /// <summary>
    /// The <c>restore_command</c> in place of CNPG's <c>/controller/manager wal-restore … %f %p</c>, which has the plugin
    /// download <c>%f</c> from the replica cluster's source store (<see cref="WalArchiving.RestoreFrom"/>): it copies the
    /// file from the key <see cref="ArchiveCommand"/> writes to <c>%p</c>, or else its <c>.partial</c> (what a demotion
    /// archives, see <see cref="PostgresServer.ArchivePartialAsync"/>), which barman-cloud-wal-restore also finds by the
    /// name's prefix (barman/clients/cloud_walrestore.py CloudWalDownloader.download_wal: any listed name starting with
    /// it that is_any_xlog_file accepts, .partial included unless --no-partial, which the plugin does not pass), and
    /// exits 1 when neither is there, as barman-cloud-wal-restore does; PostgreSQL
    /// then reads pg_wal and, with a <c>primary_conninfo</c>, streams (PostgreSQL 15 restore_command: "it must return
    /// nonzero" for a file not in the archive; src/backend/access/transam/xlogrecovery.c WaitForWALToBecomeAvailable).
    /// Without a store every request fails, as CNPG's wal-restore does with no backup configured.
    /// </summary>
    public static string RestoreCommand(string sandboxDirectory, BarmanServer? source) => source is null
        ? "false"
        : $"{Locate(sandboxDirectory, source)}; if test -f \"$d/$f\"; then cp \"$d/$f\" \"%p\"; elif test -f \"$d/$f.partial\"; then cp \"$d/$f.partial\" \"%p\"; else exit 1; fi";

    // Sets f to the file's name and d to its directory in barman's layout below the server's wals/: the segment's
    // timeline and log (its first 16 hex digits), or wals/ itself for a .history file.
    private static string Locate(string sandboxDirectory, BarmanServer server)
    {
        var wals = Path.Combine(ObjectStore(sandboxDirectory, server.ObjectStore), server.ServerName, "wals");
        return $"f='%f'; case \"$f\" in *.history) d={Literal(wals)};; *) d={Literal(wals + "/")}\"$(echo \"$f\" | cut -c1-16)\";; esac";
    }

    // A path as one shell word inside a PostgreSQL command: single-quoted, and % doubled, which PostgreSQL would
    // otherwise read as the start of %f, %p or %r.
    private static string Literal(string path) => ShellWord.Quoted(path).Replace("%", "%%", StringComparison.Ordinal);

    /// <summary>
    /// Whether <c>pgbouncer.ini</c> keeps <c>auth_dbname</c>: Debian's PgBouncer 1.18 refuses the file with it (it came
    /// in 1.20; CNPG's pooler image is newer). Without it PgBouncer runs the auth query in the client's database.
    /// </summary>
    public const bool PgBouncerKnowsAuthDatabase = false;

    /// <summary>
    /// PgBouncer parameters set over CNPG's. CNPG's <c>unix_socket_dir</c> (the pod's <c>/controller/run</c>, here the
    /// region's <c>controller/run</c>) is kept: the pooler exporter reaches the admin console through it, as CNPG's does.
    /// </summary>
    public static IReadOnlyDictionary<string, string> PgBouncerParameters(SandboxRegion region) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["listen_addr"] = SandboxTopology.Address,
        ["listen_port"] = region.PoolerPort.ToString(CultureInfo.InvariantCulture),

        // PgBouncer runs as a daemon the sandbox finds again, not as a pod's main process.
        ["pidfile"] = region.Layout.PgBouncerPid,
        ["logfile"] = region.Layout.PgBouncerLog,
    };

    /// <summary>
    /// The <c>[databases]</c> target for a Pooler's <c>&lt;cluster&gt;-rw</c> host: no cluster DNS here, so the
    /// address and port at which the pooler's region reaches that cluster's instance; PgBouncer then verifies the server
    /// certificate against the address, which the certificate carries as the region's exposure address.
    /// </summary>
    public static string PgBouncerDatabaseTarget(string host, SandboxRegion from, IReadOnlyList<SandboxRegion> regions, SandboxLinks links) =>
        $"host={SandboxTopology.Address} port={links.PortFrom(from.Name, Resolve(host, regions), ServerKind.Postgres).ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// A libpq connection to a service name made in region <paramref name="from"/>, localised: the name stays
    /// <c>host</c>, so libpq still checks the server certificate against it under verify-full, and <c>hostaddr</c> and
    /// <c>port</c> say where the service really is from there: its own port within the region, and across regions the
    /// port of the link's proxy, as the twin Service of another region's exposure leads across the network between them.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Localise(IReadOnlyDictionary<string, string> parameters, SandboxRegion from, IReadOnlyList<SandboxRegion> regions, SandboxLinks links)
    {
        if (!parameters.TryGetValue("host", out var host))
        {
            return parameters;
        }

        var localised = new Dictionary<string, string>(parameters, StringComparer.Ordinal)
        {
            ["hostaddr"] = SandboxTopology.Address,
            ["port"] = links.PortFrom(from.Name, Resolve(host, regions), ServerKind.Postgres).ToString(CultureInfo.InvariantCulture),
        };
        return localised;
    }

    /// <summary>
    /// How a replica region is bootstrapped: CNPG recovers it from the source's base backup in the object store;
    /// the sandbox takes the same base backup over mTLS as <c>streaming_replica</c> with the region's own
    /// in-cluster replication certificate (CNPG's <c>certificates/streaming_replica.*</c>), whatever
    /// <c>externalClusters</c> says, so that a missing streaming configuration shows up in verify, not at bootstrap.
    /// </summary>
    public static IReadOnlyDictionary<string, string> BootstrapSource(SandboxRegion primary, SandboxRegion replica, SandboxLinks links) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["host"] = LocalSandbox.Names(primary.Name).ReadWriteService,
        ["hostaddr"] = SandboxTopology.Address,
        ["port"] = links.PortFrom(replica.Name, primary, ServerKind.Postgres).ToString(CultureInfo.InvariantCulture),
        ["user"] = RoleNames.StreamingReplica,
        ["dbname"] = "postgres",
        ["sslmode"] = "verify-full",
        ["sslcert"] = replica.Layout.Controller.StreamingReplicaCertificate,
        ["sslkey"] = replica.Layout.Controller.StreamingReplicaKey,
        ["sslrootcert"] = replica.Layout.Controller.ServerCa,
        ["connect_timeout"] = "5",
    };

    private static SandboxRegion Resolve(string host, IReadOnlyList<SandboxRegion> regions) =>
        regions.FirstOrDefault(r => LocalSandbox.Names(r.Name).ReadWriteService == host)
        ?? throw new SandboxException($"no region of this sandbox serves '{host}': the manifests point at a service the sandbox does not run");

    /// <summary>
    /// Makes a running PgBouncer read its files again. CNPG's pooler manager sends RELOAD on the admin console after
    /// rewriting them (internal/pgbouncer/management/controller synchronizeConfig, then pgBouncerInstance.Reload); the
    /// sandbox sends SIGHUP instead, which needs no admin connection and runs the same
    /// two steps (PgBouncer 1.18 src/main.c handle_sighup and src/admin.c admin_cmd_reload: load_config, sbuf_tls_setup).
    /// Returns whether the signal was sent.
    /// </summary>
    public static bool ReloadPgBouncer(ProcessIdentity daemon) => daemon.Hangup();
}
