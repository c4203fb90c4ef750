namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>One <c>pulumi up</c> of an operation: the state it deploys and what the operator did before it.</summary>
/// <param name="Name">The phase, as the docs name it (<c>switchover phase 2</c>).</param>
/// <param name="State">The desired state the update deploys.</param>
public sealed record Update(string Name, DeployedState State)
{
    /// <summary>Regions whose Cluster's protection the operator lifted (<c>pulumi state unprotect</c>) before this update.</summary>
    public IReadOnlySet<string> Unprotected { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// Regions whose Kubernetes API does not answer during this update (a region that is gone); the update runs with
    /// <c>--continue-on-error</c>, as <c>dr failover</c> and <c>dr remove-region</c> run it.
    /// </summary>
    public IReadOnlySet<string> Unreachable { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Whether <c>PULUMI_K8S_DELETE_UNREACHABLE</c> is set, as <c>dr remove-region</c> sets it.</summary>
    public bool DeleteUnreachable { get; init; }

    /// <summary>Whether the edit must be refused: a change the topology cannot take without losing data.</summary>
    public bool MustBeRefused { get; init; }
}

/// <summary>
/// An operation users perform, as the updates it takes from a deployed topology (<see cref="Setup"/>, judged too):
/// <see cref="Updates"/> are the operation's own.
/// </summary>
/// <param name="Operation">The operation's name.</param>
/// <param name="Setup">The updates that deploy the topology it starts from, the first one the first <c>pulumi up</c>.</param>
/// <param name="Updates">The operation's updates, in order.</param>
/// <param name="Command">What the operator runs.</param>
public sealed record Scenario(string Operation, IReadOnlyList<Update> Setup, IReadOnlyList<Update> Updates, string Command)
{
    /// <summary>For test names: the operation and its topology.</summary>
    public override string ToString() => Operation;
}
