namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// The resource options and provider settings the Pulumi program gives each object, as data: the program (infra)
/// declares exactly these, and the lifecycle model plans with them, so what the tests judge is what is deployed.
/// </summary>
public static class ResourcePolicy
{
    /// <summary>
    /// The Kubernetes provider's <c>enableSecretMutable</c> and <c>enableConfigMapMutable</c>: without them
    /// pulumi-kubernetes v4.32.0 replaces a Secret whose <c>type</c>, <c>data</c> or <c>stringData</c> changes and a
    /// ConfigMap whose <c>data</c> or <c>binaryData</c> does (provider/pkg/provider/diff.go forceNewProperties; provider.go
    /// Configure: both default to false), delete-first, as the name stays (provider.go Diff): every renewal would delete
    /// every certificate Secret CNPG and PgBouncer read, for a moment or, if the update stops there, for good.
    /// </summary>
    public const bool MutableSecretsAndConfigMaps = true;

    /// <summary>The Cluster field CNPG reads only when it creates the Cluster, kept as it was by updates (see <see cref="For"/>).</summary>
    public const string ClusterBootstrap = "spec.bootstrap";

    /// <summary>The options the program gives <paramref name="key"/>'s resource in a state that rebuilds <paramref name="rebuild"/>.</summary>
    public static ResourceOptions For(ObjectKey key, string? rebuild)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Kind != "Cluster")
        {
            return ResourceOptions.None;
        }

        // CNPG reads bootstrap only when it creates a Cluster (see CnpgReplicaCluster). A Cluster owns its PVCs
        // (CNPG v1.30.0 pkg/resources/metadatabuilder.go sets the Cluster as their owner), so deleting or replacing it deletes its data: protected,
        // and the engine refuses to replace (step_generator.go: new.Protect && old.Protect) or delete (step.go
        // DeleteStep.Apply: old.Protect) it. The rebuild `dr rejoin` asks for lifts both in the same update, which the
        // engine allows ("we do allow unprotecting and replacing to happen in a single update cycle").
        var rebuilt = key.Region == rebuild;
        return new ResourceOptions(
            IgnoreChanges: rebuilt ? [] : [ClusterBootstrap],
            Protect: !rebuilt,
            DeleteBeforeReplace: rebuilt);
    }
}

/// <summary>Pulumi resource options of one resource.</summary>
/// <param name="IgnoreChanges">Input paths whose old value the engine keeps on an update.</param>
/// <param name="Protect">Whether the engine refuses to delete or replace the resource.</param>
/// <param name="DeleteBeforeReplace">Whether a replacement deletes the old object first whatever the provider says.</param>
public sealed record ResourceOptions(IReadOnlyList<string> IgnoreChanges, bool Protect, bool DeleteBeforeReplace)
{
    /// <summary>No option set.</summary>
    public static readonly ResourceOptions None = new([], false, false);
}
