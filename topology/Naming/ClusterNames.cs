namespace CrossClusterIac.Topology.Naming;

/// <summary>
/// Every Kubernetes name derived from a region, in one place so the Pulumi program, the rendered manifests,
/// the sandbox and verify agree on them.
/// </summary>
public sealed record ClusterNames(string Region, string Namespace)
{
    /// <summary>CNPG Cluster name, e.g. <c>pg-eu</c>.</summary>
    public string Cluster => $"pg-{Region}";

    /// <summary>Read-write service CNPG creates for the cluster.</summary>
    public string ReadWriteService => $"{Cluster}-rw";

    /// <summary>Read-only service CNPG creates for the cluster.</summary>
    public string ReadOnlyService => $"{Cluster}-ro";

    /// <summary>Any-instance service CNPG creates for the cluster.</summary>
    public string ReadService => $"{Cluster}-r";

    /// <summary>The read-write Pooler; CNPG names its service after it.</summary>
    public string Pooler => $"{Cluster}-pooler-rw";

    /// <summary>Service that exposes the read-write service to other regions.</summary>
    public string ReadWriteExposure => $"{Cluster}-rw-exposed";

    /// <summary>Service that exposes the pooler to other regions.</summary>
    public string PoolerExposure => $"{Cluster}-pooler-rw-exposed";

    /// <summary>barman-cloud ObjectStore name default when the config does not name one.</summary>
    public string ObjectStore => $"{Cluster}-store";

    /// <summary>Daily base backup schedule.</summary>
    public string ScheduledBackup => $"{Cluster}-backup";

    /// <summary>The primary region's one-shot base backup that replica regions bootstrap from.</summary>
    public string BootstrapBackup => $"{Cluster}-bootstrap";

    /// <summary>Secret with the server certificate PostgreSQL and the pooler present (<c>tls.crt</c> leaf + intermediate, <c>tls.key</c>).</summary>
    public string ServerCertificateSecret => $"{Cluster}-server-tls";

    /// <summary>Secret with the root that clients use to verify servers (<c>ca.crt</c>).</summary>
    public string ServerCaSecret => $"{Cluster}-server-ca";

    /// <summary>Secret with the root that servers use to verify client certificates (<c>ca.crt</c>).</summary>
    public string ClientCaSecret => $"{Cluster}-client-ca";

    /// <summary>Secret with the <c>streaming_replica</c> client certificate.</summary>
    public string ReplicationCertificateSecret => $"{Cluster}-replication-tls";

    /// <summary>Secret with the application role's client certificate.</summary>
    public string AppCertificateSecret => $"{Cluster}-app-tls";

    /// <summary>Secret with the identity PgBouncer presents to PostgreSQL (the pooler's backend certificate).</summary>
    public string PoolerBackendCertificateSecret => $"{Cluster}-pooler-backend-tls";

    /// <summary>
    /// The stable writable endpoint: in every region, a Service of this one name that reaches the pooler of the region
    /// taking writes, re-pointed by the update that moves the primary. It can be no region's name: CNPG names nothing
    /// <c>pg-&lt;region&gt;</c> but the Cluster, which is not a Service.
    /// </summary>
    public const string WriterService = "pg-writer";

    /// <summary>The stable local endpoint: in every region, a Service of this one name that reaches that region's own pooler.</summary>
    public const string LocalService = "pg-local";

    /// <summary>Fully qualified in-cluster DNS name of a service.</summary>
    public string ServiceFqdn(string service) => $"{service}.{Namespace}.svc.cluster.local";

    /// <summary>Names a service is reached by inside a cluster: short, namespaced, <c>.svc</c>, and fully qualified.</summary>
    public IEnumerable<string> ServiceDnsNames(string service) =>
        [service, $"{service}.{Namespace}", $"{service}.{Namespace}.svc", ServiceFqdn(service)];
}

/// <summary>Database role names shared by every layer.</summary>
public static class RoleNames
{
    /// <summary>The replication role CNPG creates and authenticates by certificate.</summary>
    public const string StreamingReplica = "streaming_replica";

    /// <summary>
    /// The pooler's backend identity: PgBouncer's <c>auth_user</c> (CNPG takes the CN of <c>serverTLSSecret</c>) and
    /// the certificate it presents for every server connection. Not <c>cnpg_*</c>: CNPG reserves those names.
    /// </summary>
    public const string Pooler = "crosscluster_pooler";

    /// <summary>Least-privilege role (member of <c>pg_monitor</c>) the verify console connects as.</summary>
    public const string Verify = "crosscluster_verify";
}
