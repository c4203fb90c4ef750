using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Where one region's files live. What CNPG keeps under <c>/controller</c> in a pod lives under
/// <see cref="Controller"/>, beside the data directory, never inside it, because <c>pg_basebackup</c> copies the
/// primary's data directory into every replica.
/// </summary>
public sealed record RegionLayout(string Root)
{
    /// <summary>The region's stand-in for a pod's <c>/controller</c>: certificates, external secrets, the pooler's configs.</summary>
    public ControllerPaths Controller => new(Path.Combine(Root, "controller"));

    /// <summary>PostgreSQL data directory, with CNPG's <c>pg_hba.conf</c>, <c>pg_ident.conf</c>, <c>custom.conf</c> and <c>override.conf</c>.</summary>
    public string Data => Path.Combine(Root, "data");

    /// <summary>PostgreSQL's log.</summary>
    public string PostgresLog => Path.Combine(Root, "postgresql.log");

    /// <summary>PgBouncer's pid file.</summary>
    public string PgBouncerPid => Path.Combine(Root, "pgbouncer.pid");

    /// <summary>PgBouncer's log.</summary>
    public string PgBouncerLog => Path.Combine(Root, "pgbouncer.log");

    /// <summary>The <c>-app</c> Secret CNPG's operator would create, as a JSON document (0600).</summary>
    public string AppSecret => Path.Combine(Root, "app-secret.json");

    /// <summary>
    /// What CNPG last told the region's PostgreSQL and PgBouncer of (<see cref="ProcessWatch"/>, JSON): a rotation tells
    /// each only when its digest changed, and a rotation run again after an interruption tells it what it missed.
    /// </summary>
    public string Watched => Path.Combine(Root, "watched.json");

    /// <summary>The postmaster's pid file, present while PostgreSQL runs.</summary>
    public string PostmasterPid => Path.Combine(Data, "postmaster.pid");
}
