using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// A Pooler's PgBouncer as CNPG v1.30 configures it (<c>pkg/management/pgbouncer/config/config.go</c>
/// BuildConfigurationFiles and pgBouncerIniTemplateString; <c>strings.go</c> buildPgBouncerParameters).
/// </summary>
/// <param name="DatabaseHost">The <c>[databases]</c> wildcard's host, <c>&lt;cluster&gt;-&lt;type&gt;</c>; CNPG sets no port (5432).</param>
/// <param name="PoolMode"><c>spec.pgbouncer.poolMode</c>.</param>
/// <param name="AuthUser">The CN of <c>serverTLSSecret</c>'s certificate when one is set.</param>
/// <param name="AuthQuery"><c>spec.pgbouncer.authQuery</c>, or CNPG's default query.</param>
/// <param name="Parameters">CNPG's defaults, the Pooler's <c>parameters</c> over them, CNPG's forced values over all.</param>
/// <param name="Files">The TLS files, from the Secrets the Pooler names, and the generated <c>auth_hba_file</c>.</param>
public sealed record PgBouncerConfiguration(
    string DatabaseHost,
    string PoolMode,
    string AuthUser,
    string AuthQuery,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<ConfigFile> Files)
{
    /// <summary><c>auth_dbname</c>: fixed by CNPG (<c>api/v1/pooler_types.go</c> PoolerAuthDBName).</summary>
    public const string AuthDatabase = "postgres";

    // defaultPgBouncerParameters: the Pooler's own value replaces these, except ignore_startup_parameters, appended to.
    private static readonly Dictionary<string, string> Defaults = new(StringComparer.Ordinal)
    {
        ["log_stats"] = "0",
        ["auth_type"] = "hba",
        ["client_tls_sslmode"] = "prefer",
        ["server_tls_sslmode"] = "verify-ca",
        ["ignore_startup_parameters"] = "extra_float_digits,options",
    };

    /// <summary>
    /// Reads <paramref name="pooler"/> and the Secrets it names. Only the path this project uses is modelled: a
    /// <c>serverTLSSecret</c> (certificate auth towards PostgreSQL, no <c>auth_file</c>).
    /// </summary>
    /// <exception cref="CnpgRealisationException">The Pooler takes a path not modelled, or a Secret is missing.</exception>
    public static PgBouncerConfiguration For(IReadOnlyDictionary<string, object?> pooler, SecretStore secrets, ControllerPaths paths)
    {
        var spec = ManifestFields.Map(pooler, "spec");
        var pgbouncer = ManifestFields.Map(spec, "pgbouncer");
        var serverTls = ManifestFields.String(ManifestFields.Map(pgbouncer, "serverTLSSecret"), "name")
            ?? throw new CnpgRealisationException("spec.pgbouncer.serverTLSSecret: only poolers with their own backend certificate are modelled");
        var authQuery = ManifestFields.String(pgbouncer, "authQuery")
            ?? throw new CnpgRealisationException("spec.pgbouncer.authQuery: CNPG's webhook requires it with serverTLSSecret");
        var serverCa = ManifestFields.String(ManifestFields.Map(pgbouncer, "serverCASecret"), "name")
            ?? throw new CnpgRealisationException("spec.pgbouncer.serverCASecret: the cluster's default CA secret is not modelled; name it");
        var clientCa = ManifestFields.String(ManifestFields.Map(pgbouncer, "clientCASecret"), "name")
            ?? throw new CnpgRealisationException("spec.pgbouncer.clientCASecret: the cluster's default CA secret is not modelled; name it");
        var clientTls = ManifestFields.String(ManifestFields.Map(pgbouncer, "clientTLSSecret"), "name")
            ?? throw new CnpgRealisationException("spec.pgbouncer.clientTLSSecret: the cluster's default server secret is not modelled; name it");

        var backendCertificate = secrets.Get(serverTls, "tls.crt");
        var parameters = Merge(ManifestFields.Map(pgbouncer, "parameters"));
        parameters["unix_socket_dir"] = paths.SocketDirectory;
        parameters["listen_port"] = "5432";
        parameters["listen_addr"] = "*";
        parameters["admin_users"] = "pgbouncer";
        parameters["auth_hba_file"] = paths.PgBouncerHba;
        parameters["server_tls_ca_file"] = paths.PoolerServerCa;
        parameters["client_tls_cert_file"] = paths.PoolerClientCertificate;
        parameters["client_tls_key_file"] = paths.PoolerClientKey;
        parameters["client_tls_ca_file"] = paths.PoolerClientCa;
        parameters["server_tls_cert_file"] = paths.PoolerServerCertificate;
        parameters["server_tls_key_file"] = paths.PoolerServerKey;

        var cluster = ManifestFields.String(ManifestFields.Map(spec, "cluster"), "name")
            ?? throw new CnpgRealisationException("spec.cluster.name is required");
        return new PgBouncerConfiguration(
            $"{cluster}-{ManifestFields.String(spec, "type") ?? "rw"}",
            ManifestFields.String(pgbouncer, "poolMode") ?? "session",
            CommonName(backendCertificate, serverTls),
            authQuery,
            parameters,
            [
                new ConfigFile(paths.PoolerServerCa, secrets.Get(serverCa, "ca.crt")),
                new ConfigFile(paths.PoolerClientCa, secrets.Get(clientCa, "ca.crt")),
                new ConfigFile(paths.PoolerClientCertificate, secrets.Get(clientTls, "tls.crt")),
                new ConfigFile(paths.PoolerClientKey, secrets.Get(clientTls, "tls.key")),
                new ConfigFile(paths.PoolerServerCertificate, backendCertificate),
                new ConfigFile(paths.PoolerServerKey, secrets.Get(serverTls, "tls.key")),
                new ConfigFile(paths.PgBouncerHba, HbaFile(ManifestFields.Strings(pgbouncer, "pg_hba"))),
            ]);
    }

    /// <summary>
    /// <c>pgbouncer.ini</c>: one wildcard database line to <paramref name="databaseTarget"/>, the auth settings, then
    /// every parameter sorted, as CNPG's template writes it. <paramref name="withAuthDatabase"/> <c>false</c> leaves out
    /// <c>auth_dbname</c>, which PgBouncer before 1.20 does not know.
    /// </summary>
    public string Render(string? databaseTarget = null, bool withAuthDatabase = true)
    {
        var ini = new StringBuilder();
        ini.AppendLine("[databases]");
        ini.AppendLine($"* = {databaseTarget ?? $"host={DatabaseHost}"}");
        ini.AppendLine();
        ini.AppendLine("[pgbouncer]");
        ini.AppendLine($"pool_mode = {PoolMode}");
        ini.AppendLine($"auth_user = {AuthUser}");
        ini.AppendLine($"auth_query = {AuthQuery}");
        if (withAuthDatabase)
        {
            ini.AppendLine($"auth_dbname = {AuthDatabase}");
        }

        ini.AppendLine();
        foreach (var (key, value) in Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            ini.AppendLine($"{key} = {value}");
        }

        return ini.ToString();
    }

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, object?> user)
    {
        // cleanupPgBouncerValue strips newlines, so a value cannot smuggle in a line of its own.
        var parameters = user.ToDictionary(p => p.Key, p => (p.Value?.ToString() ?? string.Empty).Replace("\r", string.Empty, StringComparison.Ordinal).Replace("\n", string.Empty, StringComparison.Ordinal), StringComparer.Ordinal);
        foreach (var (key, value) in Defaults)
        {
            parameters[key] = parameters.TryGetValue(key, out var own)
                ? key == "ignore_startup_parameters" ? $"{value},{own}" : own
                : value;
        }

        return parameters;
    }

    // pgbouncerHBAFileTemplateString: consulted only with auth_type = hba.
    private static string HbaFile(IReadOnlyList<string> rules) =>
        $"local pgbouncer pgbouncer peer\n{string.Concat(rules.Select(r => r + "\n"))}host all all 0.0.0.0/0 md5\nhost all all ::/0 md5\n";

    private static string CommonName(string pem, string secret)
    {
        using var certificate = X509Certificate2.CreateFromPem(pem);
        var commonName = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        return string.IsNullOrEmpty(commonName) ? throw new CnpgRealisationException($"Secret {secret}: tls.crt has no common name for auth_user") : commonName;
    }
}
