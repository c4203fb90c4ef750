using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>The part an object plays in its region, which decides what its resource waits for (<see cref="ResourceGraph"/>).</summary>
public enum ObjectRole
{
    /// <summary>The namespace the program declares.</summary>
    Namespace,

    /// <summary>What pods mount: the certificate Secrets and the certificate query's ConfigMap.</summary>
    Mounted,

    /// <summary>A barman-cloud ObjectStore.</summary>
    ObjectStore,

    /// <summary>The CNPG Cluster.</summary>
    Cluster,

    /// <summary>The primary region's first base backup.</summary>
    BootstrapBackup,

    /// <summary>The PgBouncer Pooler.</summary>
    Pooler,

    /// <summary>The base backup schedule.</summary>
    ScheduledBackup,

    /// <summary>A PodMonitor or the PrometheusRule.</summary>
    Monitor,

    /// <summary>A Service exposing the region's rw instance or pooler to the others.</summary>
    Exposure,

    /// <summary><c>pg-writer</c> or <c>pg-local</c>.</summary>
    StableEndpoint,

    /// <summary>A twin of another region's Service.</summary>
    TwinService,

    /// <summary>A twin's EndpointSlice.</summary>
    TwinEndpoints,
}

/// <summary>
/// What each resource waits for, as data: the program (infra) gives each object exactly these dependencies, and the
/// lifecycle model reads them to know what the engine skips when a step fails. Under <c>pulumi up
/// --continue-on-error</c> the engine skips every step that depends on a failed or skipped one, explicit dependencies,
/// parents and property dependencies alike (pulumi/pulumi pkg/resource/deploy/deployment_executor.go
/// handleSingleEvent, doesStepDependOn), and a skipped resource's outputs reach the program unknown (pulumi-dotnet
/// v3.112.1 sdk/Pulumi/Deployment/Deployment_ReadOrRegisterResource.cs: a result other than success keeps unknowns).
/// </summary>
public static class ResourceGraph
{
    /// <summary>
    /// What an object of each role waits for in its own region. An exposure Service waits for nothing but its
    /// namespace: its address (a load balancer's) is a region's output, which must stay known while the Cluster's update
    /// fails in a region whose API does not answer. A replica region's Cluster also waits for its region's twins and
    /// for the primary region's Cluster (<see cref="DependenciesOf"/>).
    /// </summary>
    public static readonly IReadOnlyDictionary<ObjectRole, IReadOnlyList<ObjectRole>> WaitsFor = new Dictionary<ObjectRole, IReadOnlyList<ObjectRole>>
    {
        [ObjectRole.Namespace] = [],
        [ObjectRole.Mounted] = [ObjectRole.Namespace],
        [ObjectRole.ObjectStore] = [ObjectRole.Namespace, ObjectRole.Mounted],
        [ObjectRole.Cluster] = [ObjectRole.Namespace, ObjectRole.Mounted, ObjectRole.ObjectStore],
        [ObjectRole.BootstrapBackup] = [ObjectRole.Namespace, ObjectRole.Mounted, ObjectRole.Cluster],
        [ObjectRole.Pooler] = [ObjectRole.Namespace, ObjectRole.Mounted, ObjectRole.Cluster],
        [ObjectRole.ScheduledBackup] = [ObjectRole.Namespace, ObjectRole.Mounted, ObjectRole.Cluster],
        [ObjectRole.Monitor] = [ObjectRole.Namespace, ObjectRole.Mounted, ObjectRole.Cluster],
        [ObjectRole.Exposure] = [ObjectRole.Namespace],
        [ObjectRole.StableEndpoint] = [ObjectRole.Namespace, ObjectRole.Pooler],
        [ObjectRole.TwinService] = [ObjectRole.Namespace],
        [ObjectRole.TwinEndpoints] = [],
    };

    /// <summary>The role of every object of <paramref name="state"/>, by its resource.</summary>
    public static IReadOnlyDictionary<ObjectKey, ObjectRole> Roles(DeployedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var roles = new Dictionary<ObjectKey, ObjectRole>();
        foreach (var region in state.Manifests())
        {
            void Add(IEnumerable<Manifest> manifests, ObjectRole role)
            {
                foreach (var manifest in manifests)
                {
                    roles[new ObjectKey(region.Region, manifest.Kind, manifest.Name)] = role;
                }
            }

            Add(new[] { region.Namespace }.OfType<Manifest>(), ObjectRole.Namespace);
            Add([.. region.Secrets, .. region.Monitoring.Where(m => m.Kind == "ConfigMap")], ObjectRole.Mounted);
            Add(region.ObjectStores, ObjectRole.ObjectStore);
            Add([region.Cluster], ObjectRole.Cluster);
            Add(new[] { region.BootstrapBackup }.OfType<Manifest>(), ObjectRole.BootstrapBackup);
            Add([region.Pooler], ObjectRole.Pooler);
            Add([region.ScheduledBackup], ObjectRole.ScheduledBackup);
            Add(region.Monitoring.Where(m => m.Kind != "ConfigMap"), ObjectRole.Monitor);
            Add(region.Exposures, ObjectRole.Exposure);
            Add(region.StableEndpoints, ObjectRole.StableEndpoint);
            foreach (var twin in region.RemoteEndpoints.SelectMany(e => e.For(state.AddressOf(e.Region))))
            {
                roles[new ObjectKey(region.Region, twin.Kind, twin.Name)] = twin.Kind == "Service" ? ObjectRole.TwinService : ObjectRole.TwinEndpoints;
            }
        }

        return roles;
    }

    /// <summary>
    /// What each resource of <paramref name="state"/> waits for: those of its region whose role <see cref="WaitsFor"/>
    /// names; for a replica region's Cluster, its region's twins and the primary region's Cluster (the replica restores
    /// from the primary's backup); for a twin, its remote Service's address when a load balancer gives it (a property
    /// dependency); for a twin's EndpointSlice, its Service.
    /// </summary>
    public static IReadOnlyDictionary<ObjectKey, IReadOnlyList<ObjectKey>> Of(DeployedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var roles = Roles(state);
        var primary = state.Topology.PrimaryRegion!;
        var primaryCluster = roles.Single(r => r.Key.Region == primary && r.Value == ObjectRole.Cluster).Key;
        var graph = new Dictionary<ObjectKey, IReadOnlyList<ObjectKey>>();
        foreach (var region in state.Manifests())
        {
            var own = roles.Where(r => r.Key.Region == region.Region).ToList();
            foreach (var (key, role) in own)
            {
                var local = own.Where(r => WaitsFor[role].Contains(r.Value)).Select(r => r.Key);
                var extra = role switch
                {
                    ObjectRole.Cluster when region.Region != primary =>
                        own.Where(r => r.Value is ObjectRole.TwinService or ObjectRole.TwinEndpoints).Select(r => r.Key).Append(primaryCluster),
                    ObjectRole.TwinService => region.RemoteEndpoints.Where(e => e.Name == key.Name).SelectMany(e => RemoteAddress(e, state)),
                    ObjectRole.TwinEndpoints => region.RemoteEndpoints.Where(e => e.Slice(state.AddressOf(e.Region))?.Name == key.Name)
                        .SelectMany(e => RemoteAddress(e, state).Append(new ObjectKey(region.Region, "Service", e.Name))),
                    _ => [],
                };
                graph[key] = [.. local.Concat(extra).Distinct()];
            }
        }

        return graph;
    }

    /// <summary>
    /// The resources <paramref name="region"/>'s entry in the stack's outputs waits for: its exposure Services when a
    /// load balancer gives their addresses (their status), none when a node address does (config, or read by an invoke).
    /// </summary>
    public static IReadOnlyList<ObjectKey> OutputDependenciesOf(string region, DeployedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var config = state.Topology.Regions.Single(r => r.Name == region);
        if (config.Exposure!.Type != ExposureType.LoadBalancer)
        {
            return [];
        }

        var manifests = state.Manifests().Single(r => r.Region == region);
        return [.. manifests.Exposures.Select(e => new ObjectKey(region, e.Kind, e.Name))];
    }

    private static IEnumerable<ObjectKey> RemoteAddress(RemoteEndpoint endpoint, DeployedState state) =>
        OutputDependenciesOf(endpoint.Region, state).Where(k => k.Name == ExposureOf(endpoint, state));

    private static string ExposureOf(RemoteEndpoint endpoint, DeployedState state)
    {
        var remote = state.Manifests().Single(r => r.Region == endpoint.Region);
        return remote.Exposures[endpoint.Service == ExposedService.ReadWrite ? 0 : 1].Name;
    }
}
