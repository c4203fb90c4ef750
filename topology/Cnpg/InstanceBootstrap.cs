using System.Globalization;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// The roles and databases CNPG v1.30 creates in a Cluster bootstrapped with <c>initdb</c> (after
/// <c>initdb --username postgres</c>), and nothing else. A replica cluster creates none: it receives them with the
/// primary's WAL.
/// </summary>
public static class InstanceBootstrap
{
    /// <summary>
    /// The initdb job's statements (<c>pkg/management/postgres/initdb.go</c> ConfigureNewInstance): the owner with
    /// <c>LOGIN</c> only, <c>postInitSQL</c> in <c>postgres</c>, <c>postInitTemplateSQL</c> in <c>template1</c>, the
    /// database, <c>postInitApplicationSQL</c> in it. Empty for a Cluster not bootstrapped with initdb.
    /// </summary>
    public static IReadOnlyList<SqlBatch> Initdb(IReadOnlyDictionary<string, object?> cluster)
    {
        var initdb = ManifestFields.Map(cluster, "spec", "bootstrap", "initdb");
        if (initdb.Count == 0)
        {
            return [];
        }

        var (database, owner) = Application(initdb);
        return
        [
            new SqlBatch("postgres", [$"CREATE ROLE {Identifier(owner)} LOGIN", .. ManifestFields.Strings(initdb, "postInitSQL")]),
            new SqlBatch("template1", ManifestFields.Strings(initdb, "postInitTemplateSQL")),
            new SqlBatch("postgres", [$"CREATE DATABASE {Identifier(database)} OWNER {Identifier(owner)}"]),
            new SqlBatch(database, ManifestFields.Strings(initdb, "postInitApplicationSQL")),
        ];
    }

    /// <summary>
    /// What the instance manager does on a primary once it runs: <c>streaming_replica</c> with <c>REPLICATION</c>
    /// and pg_rewind's functions (<c>internal/cmd/manager/instance/run/lifecycle/run.go</c>
    /// configureStreamingReplicaUser, configurePgRewindPrivileges), the metrics exporter
    /// (<c>pkg/management/postgres/metrics_exporter_role.go</c>), <c>spec.managed.roles</c>
    /// (<c>internal/management/controller/roles/postgres.go</c> Create), and the owner's password from
    /// <paramref name="appPassword"/> (refreshCredentialsFromSecret, SetUserPassword). Empty on a replica cluster.
    /// </summary>
    /// <exception cref="CnpgRealisationException">A managed role has a reserved name, as the webhook refuses.</exception>
    public static IReadOnlyList<SqlBatch> Primary(IReadOnlyDictionary<string, object?> cluster, string? appPassword)
    {
        if (InstanceParameters.IsReplicaCluster(cluster))
        {
            return [];
        }

        var statements = new List<string>
        {
            "CREATE USER streaming_replica REPLICATION",
            "COMMENT ON ROLE streaming_replica IS 'Special user for streaming replication created by CloudNativePG'",
            "GRANT EXECUTE ON function pg_catalog.pg_ls_dir(text, boolean, boolean) TO streaming_replica",
            "GRANT EXECUTE ON function pg_catalog.pg_stat_file(text, boolean) TO streaming_replica",
            "GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text) TO streaming_replica",
            "GRANT EXECUTE ON function pg_catalog.pg_read_binary_file(text, bigint, bigint, boolean) TO streaming_replica",
            "CREATE ROLE cnpg_metrics_exporter WITH LOGIN PASSWORD NULL",
            "GRANT pg_monitor TO cnpg_metrics_exporter",
        };
        statements.AddRange(ManifestFields.Maps(ManifestFields.Map(cluster, "spec", "managed"), "roles").Where(r => ManifestFields.String(r, "ensure") != "absent").Select(ManagedRole));

        var initdb = ManifestFields.Map(cluster, "spec", "bootstrap", "initdb");
        if (initdb.Count > 0 && appPassword is not null)
        {
            statements.Add($"ALTER ROLE {Identifier(Application(initdb).Owner)} WITH PASSWORD {Literal(appPassword)}");
        }

        return [new SqlBatch("postgres", statements)];
    }

    /// <summary>Names CNPG reserves for itself (<c>pkg/postgres/roles.go</c> IsRoleReserved).</summary>
    public static bool IsReserved(string role) =>
        role is "postgres" or "streaming_replica" || role.StartsWith("cnpg_", StringComparison.Ordinal) || role.StartsWith("pg_", StringComparison.Ordinal);

    private static (string Database, string Owner) Application(IReadOnlyDictionary<string, object?> initdb)
    {
        // api/v1/cluster_defaults.go defaultInitDB: database "app", owner the database's name.
        var database = ManifestFields.String(initdb, "database") ?? "app";
        return (database, ManifestFields.String(initdb, "owner") ?? database);
    }

    // appendRoleOptions writes every attribute; defaults from RoleConfiguration: login false, inherit true, limit -1.
    private static string ManagedRole(IReadOnlyDictionary<string, object?> role)
    {
        var name = ManifestFields.String(role, "name") ?? throw new CnpgRealisationException("spec.managed.roles: a role has no name");
        if (IsReserved(name))
        {
            throw new CnpgRealisationException($"spec.managed.roles: {name} is reserved for operator use; CNPG's webhook refuses it");
        }

        string Flag(string key, string keyword, bool byDefault = false) =>
            (ManifestFields.String(role, key) is { } value ? bool.Parse(value) : byDefault) ? keyword : $"NO{keyword}";
        var limit = ManifestFields.String(role, "connectionLimit") ?? "-1";
        var sql = $"CREATE ROLE {Identifier(name)} {Flag("bypassrls", "BYPASSRLS")} {Flag("createdb", "CREATEDB")} {Flag("createrole", "CREATEROLE")} {Flag("inherit", "INHERIT", byDefault: true)} {Flag("login", "LOGIN")} {Flag("replication", "REPLICATION")} {Flag("superuser", "SUPERUSER")} CONNECTION LIMIT {int.Parse(limit, CultureInfo.InvariantCulture)}";
        var inRoles = ManifestFields.Strings(role, "inRoles");
        return inRoles.Count > 0 ? $"{sql} IN ROLE {string.Join(',', inRoles.Select(Identifier))}" : sql;
    }

    private static string Identifier(string name) => $"\"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string Literal(string value) => $"'{value.Replace("'", "''", StringComparison.Ordinal)}'";
}
