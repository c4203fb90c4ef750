using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossClusterIac.Topology.Config;

/// <summary>A region as a deployment named it: its name (which names its Cluster) and the kube context it runs in.</summary>
/// <param name="Name">The region name.</param>
/// <param name="KubeContext">The kube context of its cluster.</param>
public sealed record DeployedRegion(string Name, string KubeContext);

/// <summary>
/// What names a deployed stack's data: the namespace and each region's name. The program exports it and, on the next
/// run, reads the last deployment's back (a StackReference to its own stack) before declaring anything, so that an edit
/// that would rename a Cluster is refused by name with the safe way, instead of reaching the engine as a replacement
/// that only <c>protect</c> stops with its advice to unprotect (which would delete the data).
/// </summary>
public sealed record DeployedIdentity
{
    /// <summary>The stack output that holds it.</summary>
    public const string OutputName = "deployedIdentity";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };

    /// <summary>The namespace of every region.</summary>
    public required string Namespace { get; init; }

    /// <summary>The regions, in the config's order.</summary>
    public required IReadOnlyList<DeployedRegion> Regions { get; init; }

    /// <summary>The configured primary region (the old primary during a switchover); absent in an identity exported before it was.</summary>
    public string? PrimaryRegion { get; init; }

    /// <summary>A switchover's target, while one is under way.</summary>
    public string? SwitchoverTo { get; init; }

    /// <summary>Whether that switchover had the demotion token (phase 2).</summary>
    public bool Promoting { get; init; }

    /// <summary>The identity <paramref name="topology"/> deploys.</summary>
    public static DeployedIdentity Of(TopologyConfig topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return new DeployedIdentity
        {
            Namespace = topology.Namespace.Name,
            Regions = [.. topology.Regions.Select(r => new DeployedRegion(r.Name!, r.KubeContext!))],
            PrimaryRegion = topology.PrimaryRegion,
            SwitchoverTo = topology.Switchover?.To,
            Promoting = topology.Switchover?.PromotionToken is not null,
        };
    }

    /// <summary>
    /// Everything <paramref name="topology"/> may not do after this deployment: the renames (<see cref="RenamesIn"/>)
    /// and the moves of the primary (<see cref="PrimaryMovesIn"/>).
    /// </summary>
    public IReadOnlyList<ConfigProblem> RefusalsOf(TopologyConfig topology, string? failover) => [.. RenamesIn(topology), .. PrimaryMovesIn(topology, failover)];

    /// <summary>
    /// The changes of who is primary that <paramref name="topology"/> makes without saying so. From this deployment's
    /// state, an update may stay, begin a switchover (phase 1), give it its token (phase 2), complete it (the target
    /// becomes <c>primaryRegion</c>), or move the primary where <paramref name="failover"/> (<see
    /// cref="TopologyConfigLoader.FailoverKey"/>) names: anything else is the stack file of another moment, a stale
    /// checkout or a hand edit, and applying it would make the old primary primary again without a token, which CNPG
    /// takes for a failover ("If the promotion token is omitted, a failover will be triggered", docs/src/replica_cluster.md),
    /// so the timelines fork and the new primary's writes are lost.
    /// </summary>
    public IReadOnlyList<ConfigProblem> PrimaryMovesIn(TopologyConfig topology, string? failover)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var now = (Primary: topology.PrimaryRegion, To: topology.Switchover?.To, Promoting: topology.Switchover?.PromotionToken is not null);
        if (PrimaryRegion is null || failover is not null && failover == now.Primary && now.To is null)
        {
            return [];
        }

        var was = (Primary: PrimaryRegion, To: SwitchoverTo, Promoting);
        var allowed = now == was
            || now.Primary == was.Primary && was.To is null && now.To is not null && !now.Promoting
            || now.Primary == was.Primary && was.To is not null && now.To == was.To && now.Promoting
            || was.Promoting && now.Primary == was.To && now.To is null;
        if (allowed)
        {
            return [];
        }

        string Describe((string? Primary, string? To, bool Promoting) state) => state.To is null
            ? $"{state.Primary} primary"
            : $"a switchover from {state.Primary} to {state.To} in phase {(state.Promoting ? 2 : 1)}";
        var key = now.Primary != was.Primary ? "topology.primaryRegion" : "topology.switchover";
        var way = was.To is not null
            ? $"`dr switchover --to {was.To}` resumes that switchover from the stack's config"
            : $"a switchover is `dr switchover --to {now.Primary}`, a failover `dr failover --to {now.Primary}` (or `pulumi config set {TopologyConfigLoader.FailoverKey} {now.Primary}` when it is one)";
        return [new ConfigProblem(key,
            $"the config says {Describe(now)}, but the last deployment made {Describe(was)}: applied, the primary would move without " +
            $"a switchover's token, which CNPG takes for a failover, and writes made since would be lost. If this stack file is from an " +
            $"older checkout, take the current one. Otherwise: {way}.")];
    }

    /// <summary>The identity in the stack output's JSON shape.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The identity a previous deployment exported, or <c>null</c> when there was none (a new stack, or one deployed
    /// before the output existed).
    /// </summary>
    /// <exception cref="TopologyConfigException">The output is there but not in the shape this program exports.</exception>
    public static DeployedIdentity? FromJson(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DeployedIdentity>(json, Json) is { Namespace: not null, Regions: not null } identity && identity.Regions.All(r => r is { Name: not null, KubeContext: not null })
                ? identity
                : throw new JsonException("a key is missing");
        }
        catch (JsonException e)
        {
            throw new TopologyConfigException([new ConfigProblem(OutputName, $"the stack's last deployment exported it in a shape this program does not read ({e.Message}); run the program version that deployed it, or `pulumi stack export` to inspect the state.")]);
        }
    }

    /// <summary>
    /// The edits of <paramref name="topology"/> that would rename what this deployment's data lives in: the namespace, or
    /// a region (a region gone whose kube context a new region name now uses). Removing a region, or adding one, is not
    /// a rename: a removal is stopped by the Cluster's <c>protect</c> until the operator lifts it, as the docs say.
    /// </summary>
    public IReadOnlyList<ConfigProblem> RenamesIn(TopologyConfig topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var problems = new List<ConfigProblem>();
        if (topology.Namespace.Name != Namespace)
        {
            // Every object is namespaced, so pulumi-kubernetes replaces each one (provider/pkg/provider/diff.go
            // metadataForceNewProperties), and CNPG's PVCs are owned by their Cluster (pkg/resources/metadatabuilder.go),
            // so Kubernetes' garbage collector deletes the volumes with it.
            problems.Add(new ConfigProblem("topology.namespace",
                $"'{topology.Namespace.Name}', but this stack's Clusters were deployed in '{Namespace}': in another namespace every Cluster is replaced, " +
                $"and its volumes (owned by the Cluster) are deleted with it. Set it back to '{Namespace}': moving the databases to another namespace " +
                "is not an edit this stack can make without losing them."));
        }

        var names = topology.Regions.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in Regions.Where(r => !names.Contains(r.Name)))
        {
            var index = topology.Regions.ToList().FindIndex(r => r.KubeContext == gone.KubeContext && Regions.All(d => d.Name != r.Name));
            if (index >= 0)
            {
                var renamed = topology.Regions[index].Name;
                problems.Add(new ConfigProblem($"topology.regions[{index}].name",
                    $"'{renamed}' runs on kube context '{gone.KubeContext}', where region '{gone.Name}' was deployed: a region's name names its Cluster " +
                    $"(pg-{gone.Name}), so renaming it replaces the Cluster and deletes its volumes. Set it back to '{gone.Name}'. To retire '{gone.Name}', " +
                    $"remove it in one update (after `pulumi state unprotect` of its Cluster, docs/operations.md) and add '{renamed}' in the next."));
            }
        }

        return problems;
    }
}
