namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// Everything CNPG v1.30 would put on a Cluster's primary instance (or a replica cluster's designated primary),
/// computed from the Cluster and the Secrets it names: configuration files, certificates, the connection to its
/// source, and the SQL that creates its roles. Nothing here is written or run; the caller does that.
/// </summary>
/// <param name="Name">The Cluster's name.</param>
/// <param name="IsReplicaCluster">Whether it follows another cluster.</param>
/// <param name="HbaFile"><c>pg_hba.conf</c>.</param>
/// <param name="IdentFile"><c>pg_ident.conf</c>.</param>
/// <param name="Parameters">What CNPG writes into <c>custom.conf</c>.</param>
/// <param name="Certificates">The certificate files (0600) of <c>spec.certificates</c>.</param>
/// <param name="Source">A replica cluster's connection to its source; <c>null</c> for the primary cluster.</param>
/// <param name="Initdb">The initdb job's statements; empty for a replica cluster.</param>
/// <param name="PrimarySetup">What the instance manager does on a running primary; empty for a replica cluster.</param>
/// <param name="Wal">The ObjectStore its <c>archive_command</c> writes to and the one its <c>restore_command</c> reads.</param>
public sealed record ClusterInstance(
    string Name,
    bool IsReplicaCluster,
    string HbaFile,
    string IdentFile,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyList<ConfigFile> Certificates,
    ExternalClusterConnection? Source,
    IReadOnlyList<SqlBatch> Initdb,
    IReadOnlyList<SqlBatch> PrimarySetup,
    WalArchiving Wal)
{
    /// <summary>
    /// <c>override.conf</c> of a replica cluster (<c>pkg/management/postgres/configuration.go</c>
    /// configurePostgresOverrideConfFile): <c>primary_conninfo</c>, <c>recovery_target_timeline</c> and
    /// <c>restore_command</c>; <c>null</c> for the primary cluster. <paramref name="primaryConnInfo"/> replaces the
    /// computed conninfo when given.
    /// </summary>
    public IReadOnlyDictionary<string, string>? RecoveryParameters(string? primaryConnInfo = null) => Source is null
        ? null
        : new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["primary_conninfo"] = primaryConnInfo ?? Source.PrimaryConnInfo,
            ["recovery_target_timeline"] = "latest",
            ["restore_command"] = "/controller/manager wal-restore --log-destination /controller/log/postgres.json %f %p",
        };

    /// <summary>
    /// Realises <paramref name="cluster"/>. <paramref name="osUser"/> is the account the instance runs as;
    /// <paramref name="appPassword"/> the password of its <c>-app</c> Secret, if CNPG made one.
    /// </summary>
    /// <exception cref="CnpgRealisationException">CNPG would refuse the Cluster or miss one of its Secrets.</exception>
    public static ClusterInstance For(IReadOnlyDictionary<string, object?> cluster, SecretStore secrets, ControllerPaths paths, string osUser, string? appPassword)
    {
        var certificates = ManifestFields.Map(cluster, "spec", "certificates");
        string Named(string field) => ManifestFields.String(certificates, field)
            ?? throw new CnpgRealisationException($"spec.certificates.{field}: CNPG would issue its own; only named Secrets are modelled");
        var server = Named("serverTLSSecret");
        var replication = Named("replicationTLSSecret");
        return new ClusterInstance(
            (string)ManifestFields.Map(cluster, "metadata")["name"]!,
            InstanceParameters.IsReplicaCluster(cluster),
            HostBasedAccess.HbaFile(cluster),
            HostBasedAccess.IdentFile(cluster, osUser),
            InstanceParameters.For(cluster, paths),
            [
                // pkg/reconciler/instance/certificate/reconciler.go: refreshServerCertificateFiles, refreshClientCA,
                // refreshServerCA, refreshReplicationUserCertificate.
                new ConfigFile(paths.ServerCertificate, secrets.Get(server, "tls.crt")),
                new ConfigFile(paths.ServerKey, secrets.Get(server, "tls.key")),
                new ConfigFile(paths.ClientCa, secrets.Get(Named("clientCASecret"), "ca.crt")),
                new ConfigFile(paths.ServerCa, secrets.Get(Named("serverCASecret"), "ca.crt")),
                new ConfigFile(paths.StreamingReplicaCertificate, secrets.Get(replication, "tls.crt")),
                new ConfigFile(paths.StreamingReplicaKey, secrets.Get(replication, "tls.key")),
            ],
            ExternalClusterConnection.For(cluster, secrets, paths),
            InstanceBootstrap.Initdb(cluster),
            InstanceBootstrap.Primary(cluster, appPassword),
            WalArchiving.For(cluster));
    }
}
