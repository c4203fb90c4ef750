using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// The configuration files of one region's PostgreSQL and PgBouncer. Every access path is TLS with a client
/// certificate: no Unix socket, no password method, only <c>hostssl … cert</c> rules, and every peer is
/// checked against the shared root alone.
/// </summary>
public static class ServerConfiguration
{
    private const string IdentMapName = "crosscluster";

    /// <summary>The role the sandbox itself uses for fault injection in tests; its certificate never leaves the sandbox directory.</summary>
    public const string AdministratorRole = "postgres";

    /// <summary><c>postgresql.conf</c>, passed as <c>config_file</c> so nothing region-specific lives in the data directory.</summary>
    public static string Postgres(SandboxRegion region)
    {
        var layout = region.Layout;
        return $"""
            listen_addresses = '{SandboxTopology.Address}'
            port = {region.InstancePort}
            unix_socket_directories = ''
            hba_file = '{layout.HostBasedAuthentication}'
            ident_file = '{layout.IdentMap}'
            ssl = on
            ssl_min_protocol_version = 'TLSv1.2'
            ssl_cert_file = '{layout.ServerCertificate}'
            ssl_key_file = '{layout.ServerKey}'
            ssl_ca_file = '{layout.RootCertificate}'
            max_connections = 50
            shared_buffers = 32MB
            max_wal_senders = 10
            wal_keep_size = 64MB
            hot_standby = on
            hot_standby_feedback = on
            # A throwaway local sandbox: durability across power loss buys nothing and costs seconds.
            fsync = off
            full_page_writes = off
            log_connections = on
            log_disconnections = on
            log_line_prefix = '%m [%p] %q%u@%d '

            """;
    }

    /// <summary><c>pg_hba.conf</c>: TLS with a verified client certificate, or nothing.</summary>
    public static string HostBasedAuthentication() => $"""
        # TYPE   DATABASE     USER                  ADDRESS               METHOD
        hostssl  replication  {RoleNames.StreamingReplica,-20}  {SandboxTopology.Address}/32          cert
        hostssl  all          all                   {SandboxTopology.Address}/32          cert map={IdentMapName}

        """;

    /// <summary>
    /// <c>pg_ident.conf</c>: each certificate logs in as its own role; the pooler's backend identity may act for the
    /// roles PgBouncer admits, as CNPG's pooler does.
    /// </summary>
    public static string IdentMap(string owner) => $"""
        # MAP  CERTIFICATE CN  ROLE
        {IdentMapName}  {owner}  {owner}
        {IdentMapName}  {RoleNames.Verify}  {RoleNames.Verify}
        {IdentMapName}  {RoleNames.Pooler}  {owner}
        {IdentMapName}  {RoleNames.Pooler}  {RoleNames.Verify}
        {IdentMapName}  {AdministratorRole}  {AdministratorRole}

        """;

    /// <summary>SQL run once on the primary in single-user mode, one statement per line.</summary>
    public static string Roles(string database, string owner) => $"""
        CREATE ROLE "{owner}" LOGIN;
        CREATE DATABASE "{database}" OWNER "{owner}";
        CREATE ROLE {RoleNames.Verify} LOGIN IN ROLE pg_monitor;
        CREATE ROLE {RoleNames.StreamingReplica} LOGIN REPLICATION;
        CREATE ROLE {RoleNames.Pooler} LOGIN;

        """;

    /// <summary><c>pgbouncer.ini</c>: certificate auth from clients, the backend identity towards PostgreSQL, verify-full both ways.</summary>
    public static string PgBouncer(SandboxRegion region, string database)
    {
        var layout = region.Layout;
        return $"""
            [databases]
            {database} = host={SandboxTopology.Address} port={region.InstancePort} dbname={database}

            [pgbouncer]
            listen_addr = {SandboxTopology.Address}
            listen_port = {region.PoolerPort}
            unix_socket_dir =
            pidfile = {layout.PgBouncerPid}
            logfile = {layout.PgBouncerLog}
            auth_type = cert
            auth_file = {layout.PgBouncerUsers}
            pool_mode = session
            ignore_startup_parameters = extra_float_digits
            client_tls_sslmode = verify-full
            client_tls_cert_file = {layout.ServerCertificate}
            client_tls_key_file = {layout.ServerKey}
            client_tls_ca_file = {layout.RootCertificate}
            server_tls_sslmode = verify-full
            server_tls_cert_file = {layout.PoolerBackendCertificate}
            server_tls_key_file = {layout.PoolerBackendKey}
            server_tls_ca_file = {layout.RootCertificate}
            ; Fail a login whose backend cannot be reached long before PgBouncer's 60 s default.
            client_login_timeout = 15
            server_connect_timeout = 5
            server_login_retry = 1

            """;
    }

    /// <summary>PgBouncer's <c>auth_file</c>: the roles it admits, without passwords because certificates authenticate.</summary>
    public static string PgBouncerUsers(string owner) => $"""
        "{owner}" ""
        "{RoleNames.Verify}" ""

        """;
}
