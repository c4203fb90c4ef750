namespace CrossClusterIac.Sandbox;

/// <summary>
/// Where one region's files live. TLS material and server configuration sit beside the data directory, never
/// inside it, because <c>pg_basebackup</c> copies the primary's data directory into every replica.
/// </summary>
public sealed record RegionLayout(string Root)
{
    /// <summary>PostgreSQL data directory.</summary>
    public string Data => Path.Combine(Root, "data");

    /// <summary>Server chain (leaf + server intermediate), PostgreSQL's and PgBouncer's client-facing certificate.</summary>
    public string ServerCertificate => Path.Combine(Root, "server.crt");

    /// <summary>Server private key (0600).</summary>
    public string ServerKey => Path.Combine(Root, "server.key");

    /// <summary>The shared root: the only trust anchor of every server and client.</summary>
    public string RootCertificate => Path.Combine(Root, "root.crt");

    /// <summary><c>streaming_replica</c> chain a replica presents to the primary.</summary>
    public string ReplicationCertificate => Path.Combine(Root, "replication.crt");

    /// <summary><c>streaming_replica</c> private key (0600).</summary>
    public string ReplicationKey => Path.Combine(Root, "replication.key");

    /// <summary>The identity PgBouncer presents to PostgreSQL.</summary>
    public string PoolerBackendCertificate => Path.Combine(Root, "pooler-backend.crt");

    /// <summary>Private key of the pooler's backend identity (0600).</summary>
    public string PoolerBackendKey => Path.Combine(Root, "pooler-backend.key");

    /// <summary>PostgreSQL's configuration file, passed as <c>config_file</c>.</summary>
    public string PostgresConfig => Path.Combine(Root, "postgresql.conf");

    /// <summary>Host-based authentication rules.</summary>
    public string HostBasedAuthentication => Path.Combine(Root, "pg_hba.conf");

    /// <summary>Certificate-name to role mapping.</summary>
    public string IdentMap => Path.Combine(Root, "pg_ident.conf");

    /// <summary>PostgreSQL's log.</summary>
    public string PostgresLog => Path.Combine(Root, "postgresql.log");

    /// <summary>PgBouncer's configuration.</summary>
    public string PgBouncerConfig => Path.Combine(Root, "pgbouncer.ini");

    /// <summary>Roles PgBouncer admits; <c>auth_type = cert</c> still requires each to be listed.</summary>
    public string PgBouncerUsers => Path.Combine(Root, "pgbouncer-users.txt");

    /// <summary>PgBouncer's pid file.</summary>
    public string PgBouncerPid => Path.Combine(Root, "pgbouncer.pid");

    /// <summary>PgBouncer's log.</summary>
    public string PgBouncerLog => Path.Combine(Root, "pgbouncer.log");

    /// <summary>The postmaster's pid file, present while PostgreSQL runs.</summary>
    public string PostmasterPid => Path.Combine(Data, "postmaster.pid");
}
