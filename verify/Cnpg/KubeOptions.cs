using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>Where verify reads CNPG's view (<c>--kube</c>): one kubeconfig context per region and the namespace of every Cluster.</summary>
/// <param name="Contexts">Kubeconfig context by region name, from <c>--kube-context REGION=CONTEXT</c>.</param>
/// <param name="Kubeconfig"><c>--kubeconfig</c>; <c>null</c> reads what <see cref="KubeconfigVariable"/> lists, else <c>~/.kube/config</c> (<see cref="KubeconfigFiles"/>).</param>
/// <param name="Namespace"><c>--kube-namespace</c>; <c>null</c> takes the namespace the outputs name (<see cref="NamespaceIn"/>).</param>
public sealed record KubeOptions(IReadOnlyDictionary<string, string> Contexts, string? Kubeconfig, string? Namespace)
{
    /// <summary>The namespace when neither the option nor the outputs name one, as the topology's own default.</summary>
    public const string DefaultNamespace = "default";

    /// <summary>The <c>KUBECONFIG</c> environment variable when verify started, or <c>null</c>.</summary>
    public string? KubeconfigVariable { get; init; }

    /// <summary>
    /// The namespace of every Cluster and Pooler: <c>--kube-namespace</c>, else the one the stack deployed into (the
    /// <c>deployedIdentity</c> output), else <see cref="DefaultNamespace"/> for an older outputs document.
    /// </summary>
    public string NamespaceIn(TopologyOutputs outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        return Namespace ?? outputs.DeployedIdentity?.Namespace ?? DefaultNamespace;
    }

    /// <summary>
    /// Reads the <c>--kube-context</c> values; <paramref name="problems"/> hears each that is not <c>REGION=CONTEXT</c>
    /// or names a region twice.
    /// </summary>
    public static Dictionary<string, string> ParseContexts(IEnumerable<string> values, ICollection<string> problems)
    {
        var contexts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var separator = value.IndexOf('=', StringComparison.Ordinal);
            var region = separator > 0 ? value[..separator].Trim() : string.Empty;
            var context = separator > 0 ? value[(separator + 1)..].Trim() : string.Empty;
            if (region.Length == 0 || context.Length == 0)
            {
                problems.Add($"--kube-context {value}: give REGION=CONTEXT, e.g. --kube-context eu=kind-k8s-eu");
            }
            else if (!contexts.TryAdd(region, context))
            {
                problems.Add($"--kube-context {value}: region '{region}' already has context '{contexts[region]}'; give one context per region");
            }
        }

        return contexts;
    }

    /// <summary>
    /// Refuses contexts that do not match the topology: every region needs one (a context is never guessed from a cluster
    /// name, which would read another cluster's status), and a region the outputs do not hold is a typo.
    /// </summary>
    /// <exception cref="UsageException">A region has no context, or a context names no region.</exception>
    public void RequireEveryRegion(TopologyOutputs outputs)
    {
        var names = outputs.Regions.Select(r => r.Name).ToList();
        var problems = names.Where(n => !Contexts.ContainsKey(n))
            .Select(n => $"--kube: region '{n}' has no kubeconfig context; give --kube-context {n}=CONTEXT")
            .Concat(Contexts.Keys.Where(k => !names.Contains(k, StringComparer.Ordinal)).Order(StringComparer.Ordinal)
                .Select(k => $"--kube-context {k}={Contexts[k]}: the outputs have no region '{k}' (regions: {string.Join(", ", names)})"))
            .ToList();
        if (problems.Count > 0)
        {
            throw new UsageException(string.Join(Environment.NewLine + "verify: ", problems));
        }
    }
}
