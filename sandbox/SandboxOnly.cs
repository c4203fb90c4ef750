using System.Globalization;
using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Naming;

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

        // No object store yet and no instance manager to run CNPG's archive_command (/controller/manager wal-archive).
        ["archive_mode"] = "off",

        // The log goes to pg_ctl's log file instead of CNPG's csvlog collector, which the sandbox cannot tail.
        ["logging_collector"] = "off",
        ["log_destination"] = "stderr",

        // A throwaway sandbox: durability across power loss buys nothing and costs seconds.
        ["fsync"] = "off",
    };

    /// <summary>Recovery parameters removed from CNPG's <c>override.conf</c>: its restore_command calls the instance manager.</summary>
    public static IReadOnlyList<string> RemovedRecoveryParameters { get; } = ["restore_command"];

    /// <summary>
    /// Whether <c>pgbouncer.ini</c> keeps <c>auth_dbname</c>: Debian's PgBouncer 1.18 refuses the file with it (it came
    /// in 1.20; CNPG's pooler image is newer). Without it PgBouncer runs the auth query in the client's database.
    /// </summary>
    public const bool PgBouncerKnowsAuthDatabase = false;

    /// <summary>PgBouncer parameters set over CNPG's.</summary>
    public static IReadOnlyDictionary<string, string> PgBouncerParameters(SandboxRegion region) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["listen_addr"] = SandboxTopology.Address,
        ["listen_port"] = region.PoolerPort.ToString(CultureInfo.InvariantCulture),
        ["unix_socket_dir"] = string.Empty,

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
    /// sandbox's PgBouncer has no admin socket (<c>unix_socket_dir</c> is empty), so it gets SIGHUP, which runs the same
    /// two steps (PgBouncer 1.18 src/main.c handle_sighup and src/admin.c admin_cmd_reload: load_config, sbuf_tls_setup).
    /// Returns whether the signal was sent.
    /// </summary>
    public static bool ReloadPgBouncer(ProcessIdentity daemon) => daemon.Hangup();
}
