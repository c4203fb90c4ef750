namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// Where CNPG v1.30's instance manager and pooler keep their files, under a controller root that is
/// <c>/controller</c> in a pod (<c>pkg/postgres/configuration.go</c> ScratchDataDirectory, CertificatesDir;
/// <c>pkg/management/pgbouncer/config/config.go</c> ConfigsDir; <c>pkg/management/external/utils.go</c>
/// defaultExternalSecretsPath). The sandbox passes a directory of its own as the root.
/// </summary>
/// <param name="Root">The controller root, <c>/controller</c> in a pod.</param>
public sealed record ControllerPaths(string Root)
{
    /// <summary>The paths of a CNPG pod.</summary>
    public static ControllerPaths Pod { get; } = new("/controller");

    /// <summary>Server certificate chain, from <c>certificates.serverTLSSecret</c> <c>tls.crt</c>.</summary>
    public string ServerCertificate => Combine("certificates", "server.crt");

    /// <summary>Server key, from <c>certificates.serverTLSSecret</c> <c>tls.key</c>.</summary>
    public string ServerKey => Combine("certificates", "server.key");

    /// <summary><c>ssl_ca_file</c>, from <c>certificates.clientCASecret</c> <c>ca.crt</c>.</summary>
    public string ClientCa => Combine("certificates", "client-ca.crt");

    /// <summary>Trust for in-cluster replicas, from <c>certificates.serverCASecret</c> <c>ca.crt</c>.</summary>
    public string ServerCa => Combine("certificates", "server-ca.crt");

    /// <summary>In-cluster replicas' client chain, from <c>certificates.replicationTLSSecret</c> <c>tls.crt</c>.</summary>
    public string StreamingReplicaCertificate => Combine("certificates", "streaming_replica.crt");

    /// <summary>In-cluster replicas' client key, from <c>certificates.replicationTLSSecret</c> <c>tls.key</c>.</summary>
    public string StreamingReplicaKey => Combine("certificates", "streaming_replica.key");

    /// <summary>A secret key an <c>externalClusters</c> entry refers to: <c>external/&lt;entry&gt;/&lt;secret&gt;_&lt;key&gt;</c>.</summary>
    public string ExternalSecretKey(string externalCluster, string secret, string key) => Combine("external", externalCluster, $"{secret}_{key}");

    /// <summary>The pooler's <c>pgbouncer.ini</c>.</summary>
    public string PgBouncerIni => Combine("configs", "pgbouncer.ini");

    /// <summary>The pooler's <c>auth_hba_file</c>.</summary>
    public string PgBouncerHba => Combine("configs", "pg_hba.conf");

    /// <summary>The pooler's trust for PostgreSQL's certificate (<c>server_tls_ca_file</c>).</summary>
    public string PoolerServerCa => Combine("configs", "server-tls", "ca.crt");

    /// <summary>The pooler's backend identity (<c>server_tls_cert_file</c>), from <c>pgbouncer.serverTLSSecret</c>.</summary>
    public string PoolerServerCertificate => Combine("configs", "server-tls", "tls.crt");

    /// <summary>The pooler's backend key (<c>server_tls_key_file</c>).</summary>
    public string PoolerServerKey => Combine("configs", "server-tls", "tls.key");

    /// <summary>The certificate the pooler shows clients (<c>client_tls_cert_file</c>), from <c>pgbouncer.clientTLSSecret</c>.</summary>
    public string PoolerClientCertificate => Combine("configs", "client-tls", "tls.crt");

    /// <summary>The key of the certificate the pooler shows clients (<c>client_tls_key_file</c>).</summary>
    public string PoolerClientKey => Combine("configs", "client-tls", "tls.key");

    /// <summary>The pooler's trust for client certificates (<c>client_tls_ca_file</c>), from <c>pgbouncer.clientCASecret</c>.</summary>
    public string PoolerClientCa => Combine("configs", "client-ca", "ca.crt");

    /// <summary>Unix socket directory of PostgreSQL and PgBouncer.</summary>
    public string SocketDirectory => Combine("run");

    private string Combine(params string[] parts) => string.Join('/', [Root.TrimEnd('/'), .. parts]);
}
