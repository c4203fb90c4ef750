using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CrossClusterIac.Topology.Lifecycle;
using CrossClusterIac.Topology.Manifests;
using Pulumi;
using Pulumi.Command.Local;
using K8s = Pulumi.Kubernetes;

namespace CrossClusterIac.Infra.Components;

/// <summary>Arguments of <see cref="CnpgReplicaCluster"/>.</summary>
public sealed record CnpgReplicaClusterArgs
{
    /// <summary>The region's objects from the core; this component declares all but the namespace, the Secrets and the twins.</summary>
    public required RegionManifests Manifests { get; init; }

    /// <summary>A NodePort region's node address; <c>null</c> for a LoadBalancer region, whose Services' status gives theirs.</summary>
    public Output<string>? NodeAddress { get; init; }

    /// <summary>The region's kube context, through which the pooler's rollout is awaited.</summary>
    public required string KubeContext { get; init; }

    /// <summary>The region's namespace, when the program declares it.</summary>
    public required IReadOnlyList<Resource> Namespace { get; init; }

    /// <summary>What the Cluster's and the Pooler's pods mount: the certificate Secrets and the certificate query's ConfigMap.</summary>
    public required IReadOnlyList<Resource> Mounted { get; init; }

    /// <summary>What the Cluster itself waits for besides: in a replica region, the twins of the primary's services and the primary Cluster.</summary>
    public IReadOnlyList<Resource> ClusterDependsOn { get; init; } = [];

    /// <summary>In a replica region, the primary region's bootstrap Backup, whose completion its Cluster's creation awaits (<see cref="BootstrapWait"/>).</summary>
    public Resource? SourceBackup { get; init; }

    /// <summary>The region's Kubernetes provider.</summary>
    public required K8s.Provider Provider { get; init; }

    /// <summary>The PEM of the region's certificate material, for the Pooler's fingerprint of it (<see cref="PoolerTls"/>).</summary>
    public required Func<SecretMaterial, Output<string>> Material { get; init; }

    /// <summary>
    /// Whether the Cluster is being rebuilt (<c>cross-cluster-dr:rebuild</c>, set by <c>dr rejoin</c> around a
    /// <c>pulumi up --replace</c>): its replacement then takes the manifest's bootstrap instead of the one it was made with.
    /// </summary>
    public bool Rebuilt { get; init; }
}

/// <summary>
/// A region's CloudNativePG cluster with its pooler, object stores, backups and exposure Services.
/// Whether it is the primary or a replica streaming from it is in the Cluster manifest it is given.
/// </summary>
public sealed class CnpgReplicaCluster : ComponentResource
{
    // CNPG's Pooler reports `active` once its Deployment is reconciled (internal/controller/pooler_status.go), not
    // when PgBouncer serves; the Deployment's pods are ready when PgBouncer accepts TCP on its port
    // (pkg/specs/pgbouncer/deployments.go readiness probe), which `kubectl rollout status` waits for.
    private static readonly TimeSpan PoolerRollout = TimeSpan.FromMinutes(10);

    /// <summary>The switchover target's promotion token (the old primary's demotion token), a secret input of its Cluster.</summary>
    // A secret input, not AdditionalSecretOutputs: the engine applies that to top-level outputs alone, which would hide
    // the whole spec and still checkpoint the inputs as sent (pulumi/pulumi pkg/resource/deploy/step_executor.go).
    public const string PromotionToken = "spec.replica.promotionToken";

    /// <summary>Creates the region's CNPG resources.</summary>
    public CnpgReplicaCluster(string name, CnpgReplicaClusterArgs args, ComponentResourceOptions? options = null)
        : base("crosscluster:index:CnpgReplicaCluster", name, options)
    {
        ArgumentNullException.ThrowIfNull(args);
        var manifests = args.Manifests;
        // Each object waits for what the lifecycle model says it does (ResourceGraph.WaitsFor), so that what the model
        // judges skipped when a region's API does not answer is what the engine skips.
        var declared = new Dictionary<ObjectRole, IReadOnlyList<Resource>>
        {
            [ObjectRole.Namespace] = args.Namespace,
            [ObjectRole.Mounted] = args.Mounted,
        };
        CustomResourceOptions Options(ObjectRole role, params IEnumerable<Resource> besides) => new()
        {
            Parent = this,
            Provider = args.Provider,
            DependsOn = [.. ResourceGraph.WaitsFor[role].SelectMany(r => declared[r]), .. besides],
        };
        K8s.ApiExtensions.CustomResource Declare(Manifest manifest, CustomResourceOptions options, params IReadOnlyList<string> secretFields) =>
            new($"{name}-{manifest.Name}-{manifest.Kind.ToLowerInvariant()}", new ManifestResourceArgs(manifest, secretFields, args.Material), options);

        var stores = manifests.ObjectStores.Select(store => Declare(store, Options(ObjectRole.ObjectStore))).ToList();
        declared[ObjectRole.ObjectStore] = stores;

        // The replica's Cluster is created once the primary's first base backup has completed. The wait depends on the
        // Backup object, which Pulumi creates at once (it awaits nothing of it), and runs only when created: its inputs
        // are ignored on updates (pulumi/pulumi step_generator.go processIgnoreChanges), so a switchover or failover that
        // creates the new primary's Backup re-points this Cluster without waiting for that backup.
        List<Resource> waits = [];
        if (manifests.BootstrapWait is { } wait && args.SourceBackup is { } sourceBackup)
        {
            waits.Add(new Command($"{name}-bootstrap-wait", new CommandArgs
            {
                Interpreter = wait.Interpreter.ToList(),
                Create = wait.Create,
            }, new CustomResourceOptions { Parent = this, DependsOn = { sourceBackup }, IgnoreChanges = ["interpreter", "create"] }));
        }

        var clusterOptions = Options(ObjectRole.Cluster, [.. args.ClusterDependsOn, .. waits]);
        // CNPG reads bootstrap only when it creates a Cluster, and a completed switchover (primaryRegion set to the
        // target) swaps which regions' manifests say initdb and which say recovery: sent to running Clusters, that is a
        // change CNPG never acts on, rewriting how each was made. The engine keeps an existing Cluster's old value
        // (pulumi/pulumi pkg/resource/deploy/step_generator.go processIgnoreChanges); a new Cluster gets the manifest's.
        // A replacement keeps ignored inputs too (the engine takes them from the state whenever there is one: pulumi/pulumi
        // #2657), so a former primary rebuilt as a replica would be created with its initdb; a rebuilt one takes the manifest's.
        // The Cluster owns its volumes, so it is protected but while rebuilt: the options are the lifecycle model's.
        var policy = ResourcePolicy.For(new ObjectKey(manifests.Region, manifests.Cluster.Kind, manifests.Cluster.Name), args.Rebuilt ? manifests.Region : null);
        clusterOptions.IgnoreChanges = [.. policy.IgnoreChanges];
        clusterOptions.Protect = policy.Protect;
        clusterOptions.DeleteBeforeReplace = policy.DeleteBeforeReplace;
        Cluster = Declare(manifests.Cluster, clusterOptions, PromotionToken);
        declared[ObjectRole.Cluster] = [Cluster];
        BootstrapBackup = manifests.BootstrapBackup is { } backup ? Declare(backup, Options(ObjectRole.BootstrapBackup)) : null;

        // After the Secrets (DependsOn): a change of the certificates it names changes its fingerprint annotation, an
        // event of the Pooler on which PgBouncer re-reads them (PoolerTls).
        var pooler = Declare(manifests.Pooler, Options(ObjectRole.Pooler));
        declared[ObjectRole.Pooler] = [pooler];
        _ = Declare(manifests.ScheduledBackup, Options(ObjectRole.ScheduledBackup));

        // PodMonitors and the PrometheusRule (Prometheus Operator CRDs), when monitoring is on; the query ConfigMap the
        // Cluster names comes with the certificates it dates (RegionalPki).
        foreach (var monitor in manifests.Monitoring.Where(m => m.Kind != "ConfigMap"))
        {
            _ = Declare(monitor, Options(ObjectRole.Monitor));
        }

        _ = new Command($"{name}-pooler-rollout", new CommandArgs
        {
            // kubectl is the interpreter and the Deployment its last argument: no shell parses the context name.
            Interpreter =
            [
                "kubectl", "--context", args.KubeContext, "--namespace", manifests.Pooler.Namespace,
                "rollout", "status", $"--timeout={(int)PoolerRollout.TotalSeconds}s",
            ],
            Create = $"deployment/{manifests.Pooler.Name}",
            // A change to the Pooler reruns the wait (Triggers replace the command: pulumi-command common/inputs.go).
            Triggers = new InputList<object> { (Input<object>)Fingerprint(manifests.Pooler) },
        }, new CustomResourceOptions { Parent = this, DependsOn = { pooler } });

        // The exposure Services wait for their namespace alone: a load balancer's address is the region's output, which
        // stays known while the Cluster's update fails in a region whose API does not answer (ResourceGraph.WaitsFor).
        var rw = new K8s.Core.V1.Service($"{name}-{manifests.Exposures[0].Name}", ManifestInputs.Service(manifests.Exposures[0]), Options(ObjectRole.Exposure));
        var poolerExposure = new K8s.Core.V1.Service($"{name}-{manifests.Exposures[1].Name}", ManifestInputs.Service(manifests.Exposures[1]), Options(ObjectRole.Exposure));

        // pg-writer and pg-local: ExternalName Services, re-pointed in place when the primary moves (NetworkManifests.StableEndpoints).
        foreach (var alias in manifests.StableEndpoints)
        {
            _ = new K8s.Core.V1.Service($"{name}-{alias.Name}", ManifestInputs.Service(alias), Options(ObjectRole.StableEndpoint));
        }

        ClusterName = Output.Create(manifests.Cluster.Name);
        PoolerName = Output.Create(manifests.Pooler.Name);
        ReadWriteAddress = args.NodeAddress ?? LoadBalancerAddress(rw);
        PoolerAddress = args.NodeAddress ?? LoadBalancerAddress(poolerExposure);
        RegisterOutputs();
    }

    /// <summary>Name of the CNPG Cluster.</summary>
    [Output("clusterName")]
    public Output<string> ClusterName { get; private set; }

    /// <summary>Name of the Pooler (and of the service CNPG creates for it).</summary>
    [Output("poolerName")]
    public Output<string> PoolerName { get; private set; }

    /// <summary>Address other regions reach the rw instance at: the node's, or its load balancer's.</summary>
    [Output("readWriteAddress")]
    public Output<string> ReadWriteAddress { get; private set; }

    /// <summary>Address other regions reach the pooler at: the node's, or its own load balancer's.</summary>
    [Output("poolerAddress")]
    public Output<string> PoolerAddress { get; private set; }

    /// <summary>The CNPG Cluster; replica regions' Clusters depend on the primary's.</summary>
    public K8s.ApiExtensions.CustomResource Cluster { get; }

    /// <summary>In the primary region, the awaited first base backup replica regions recover from.</summary>
    public K8s.ApiExtensions.CustomResource? BootstrapBackup { get; }

    // Pulumi awaits a LoadBalancer Service until status.loadBalancer.ingress is non-empty (pulumi-kubernetes
    // provider/pkg/await/service.go processServiceEvent), so the first ingress is there to read.
    private static Output<string> LoadBalancerAddress(K8s.Core.V1.Service service) =>
        service.Status.Apply(status => status.LoadBalancer.Ingress.Select(i => string.IsNullOrEmpty(i.Ip) ? i.Hostname : i.Ip).FirstOrDefault(a => !string.IsNullOrEmpty(a))
            ?? throw new RunException($"{service.GetResourceName()}: the cloud reported no load-balancer address; check that the cluster has a load-balancer controller."));

    private static string Fingerprint(Manifest manifest) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(ManifestDocument.ToObject(manifest)))));
}
