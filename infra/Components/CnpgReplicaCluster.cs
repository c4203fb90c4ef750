using CrossClusterIac.Topology.Manifests;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="CnpgReplicaCluster"/>.</summary>
public sealed record CnpgReplicaClusterArgs
{
    /// <summary>The region's objects from the core; this component declares all but the Secrets and the remote twins.</summary>
    public required RegionManifests Manifests { get; init; }

    /// <summary>What the Cluster and Pooler need first: the Secrets they mount and the twins of the other regions' services.</summary>
    public required IReadOnlyList<Resource> DependsOn { get; init; }

    /// <summary>The region's Kubernetes provider.</summary>
    public required K8s.Provider Provider { get; init; }
}

/// <summary>
/// A region's CloudNativePG cluster with its pooler, object stores, scheduled backup and exposure Services.
/// Whether it is the primary or a replica streaming from it is in the Cluster manifest it is given.
/// </summary>
public sealed class CnpgReplicaCluster : ComponentResource
{
    /// <summary>Creates the region's CNPG resources.</summary>
    public CnpgReplicaCluster(string name, CnpgReplicaClusterArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:CnpgReplicaCluster", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var manifests = args.Manifests;
        CustomResourceOptions Options(IEnumerable<Resource> dependsOn) =>
            new() { Parent = this, Provider = args.Provider, DependsOn = dependsOn.ToList() };
        K8s.ApiExtensions.CustomResource Declare(Manifest manifest, IEnumerable<Resource> dependsOn) =>
            new($"{name}-{manifest.Name}-{manifest.Kind.ToLowerInvariant()}", new ManifestResourceArgs(manifest), Options(dependsOn));

        var stores = manifests.ObjectStores.Select(store => Declare(store, [])).ToList();
        var cluster = Declare(manifests.Cluster, [.. args.DependsOn, .. stores]);
        _ = Declare(manifests.Pooler, [.. args.DependsOn, cluster]);
        _ = Declare(manifests.ScheduledBackup, [cluster]);
        foreach (var exposure in manifests.Exposures)
        {
            _ = new K8s.Core.V1.Service($"{name}-{exposure.Name}", ManifestInputs.Service(exposure), Options([cluster]));
        }

        ClusterName = Output.Create(manifests.Cluster.Name);
        PoolerName = Output.Create(manifests.Pooler.Name);
        RegisterOutputs();
    }

    /// <summary>Name of the CNPG Cluster.</summary>
    [Output("clusterName")]
    public Output<string> ClusterName { get; private set; }

    /// <summary>Name of the Pooler (and of the service CNPG creates for it).</summary>
    [Output("poolerName")]
    public Output<string> PoolerName { get; private set; }
}
