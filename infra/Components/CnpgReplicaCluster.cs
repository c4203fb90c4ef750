using CrossClusterIac.Infra.Components.Cnpg;
using Pulumi;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="CnpgReplicaCluster"/>.</summary>
public sealed record CnpgReplicaClusterArgs
{
    /// <summary>Namespace of every object.</summary>
    public required string Namespace { get; init; }

    /// <summary>The CNPG Cluster (primary or replica).</summary>
    public required CnpgObject Cluster { get; init; }

    /// <summary>The read-write Pooler.</summary>
    public required CnpgObject Pooler { get; init; }

    /// <summary>barman-cloud ObjectStores the Cluster archives to or recovers from.</summary>
    public required IReadOnlyList<CnpgObject> ObjectStores { get; init; }

    /// <summary>Scheduled base backup, on the primary only.</summary>
    public CnpgObject? ScheduledBackup { get; init; }

    /// <summary>Services that expose the rw service and the pooler to other regions.</summary>
    public required IReadOnlyList<ExposedService> Exposures { get; init; }

    /// <summary>What the Cluster and Pooler need first: the Secrets they mount and, in a replica region, the endpoints to the primary.</summary>
    public required IReadOnlyList<Resource> DependsOn { get; init; }

    /// <summary>The region's Kubernetes provider.</summary>
    public required K8s.Provider Provider { get; init; }
}

/// <summary>
/// A region's CloudNativePG cluster with its pooler, object stores, scheduled backup and exposure Services.
/// Whether it is the primary or a replica streaming from it is in the Cluster spec it is given.
/// </summary>
public sealed class CnpgReplicaCluster : ComponentResource
{
    /// <summary>Creates the region's CNPG resources.</summary>
    public CnpgReplicaCluster(string name, CnpgReplicaClusterArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:CnpgReplicaCluster", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        CustomResourceOptions Options(IEnumerable<Resource> dependsOn) =>
            new() { Parent = this, Provider = args.Provider, DependsOn = dependsOn.ToList() };

        var stores = args.ObjectStores
            .Select(store => new K8s.ApiExtensions.CustomResource($"{name}-{store.Name}",
                Fill(new ObjectStoreArgs(), store, args.Namespace), Options([])))
            .ToList();

        var cluster = new K8s.ApiExtensions.CustomResource($"{name}-{args.Cluster.Name}",
            Fill(new ClusterArgs(), args.Cluster, args.Namespace), Options([.. args.DependsOn, .. stores]));

        _ = new K8s.ApiExtensions.CustomResource($"{name}-{args.Pooler.Name}",
            Fill(new PoolerArgs(), args.Pooler, args.Namespace), Options([.. args.DependsOn, cluster]));

        if (args.ScheduledBackup is { } backup)
        {
            _ = new K8s.ApiExtensions.CustomResource($"{name}-{backup.Name}",
                Fill(new ScheduledBackupArgs(), backup, args.Namespace), Options([cluster]));
        }

        foreach (var exposure in args.Exposures)
        {
            _ = new K8s.Core.V1.Service($"{name}-{exposure.Name}", new K8s.Types.Inputs.Core.V1.ServiceArgs
            {
                Metadata = new K8s.Types.Inputs.Meta.V1.ObjectMetaArgs { Name = exposure.Name, Namespace = args.Namespace },
                Spec = new K8s.Types.Inputs.Core.V1.ServiceSpecArgs
                {
                    Type = exposure.Type,
                    Selector = InputMaps.From(exposure.Selector),
                    Ports =
                    {
                        new K8s.Types.Inputs.Core.V1.ServicePortArgs
                        {
                            Name = "postgres",
                            Protocol = "TCP",
                            Port = exposure.Type == "NodePort" ? exposure.TargetPort : exposure.Port,
                            TargetPort = exposure.TargetPort,
                            NodePort = exposure.Type == "NodePort" ? exposure.Port : (Input<int>?)null,
                        },
                    },
                },
            }, Options([cluster]));
        }

        ClusterName = Output.Create(args.Cluster.Name);
        PoolerName = Output.Create(args.Pooler.Name);
        RegisterOutputs();
    }

    /// <summary>Name of the CNPG Cluster.</summary>
    [Output("clusterName")]
    public Output<string> ClusterName { get; private set; }

    /// <summary>Name of the Pooler (and of the service CNPG creates for it).</summary>
    [Output("poolerName")]
    public Output<string> PoolerName { get; private set; }

    private static T Fill<T>(T resourceArgs, CnpgObject data, string ns)
        where T : K8s.ApiExtensions.CustomResourceArgs, ICnpgSpecArgs
    {
        resourceArgs.Metadata = new K8s.Types.Inputs.Meta.V1.ObjectMetaArgs
        {
            Name = data.Name,
            Namespace = ns,
            Annotations = InputMaps.From(data.Annotations),
        };
        foreach (var (key, value) in data.Spec)
        {
            resourceArgs.Spec.Add(key, Output.Create(value));
        }

        return resourceArgs;
    }
}
