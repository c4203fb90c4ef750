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

    /// <summary>The identity <paramref name="topology"/> deploys.</summary>
    public static DeployedIdentity Of(TopologyConfig topology)
    {
        ArgumentNullException.ThrowIfNull(topology);
        return new DeployedIdentity { Namespace = topology.Namespace.Name, Regions = [.. topology.Regions.Select(r => new DeployedRegion(r.Name!, r.KubeContext!))] };
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
