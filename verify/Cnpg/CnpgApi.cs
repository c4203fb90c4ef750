namespace CrossClusterIac.Verify.Cnpg;

/// <summary>Where CNPG's objects live in the Kubernetes API (CNPG v1.30.0 <c>config/crd/bases/postgresql.cnpg.io_clusters.yaml</c>).</summary>
public static class CnpgApi
{
    /// <summary>CNPG's API group.</summary>
    public const string Group = "postgresql.cnpg.io";

    /// <summary>The served version.</summary>
    public const string Version = "v1";

    /// <summary>Plural of Cluster, as the custom-object API names it.</summary>
    public const string Clusters = "clusters";

    /// <summary>Plural of Pooler.</summary>
    public const string Poolers = "poolers";

    /// <summary>
    /// The phase CNPG reports for a cluster with nothing to do; CNPG sets the <c>Ready</c> condition to <c>True</c> exactly
    /// then (<c>api/v1/cluster_types.go</c> PhaseHealthy; <c>pkg/resources/status/transactions.go</c> SetClusterReadyCondition).
    /// </summary>
    public const string HealthyPhase = "Cluster in healthy state";
}
