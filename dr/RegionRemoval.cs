using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Dr;

/// <summary>
/// Takes a region out of a stack for good, its cluster answering or not: its Cluster's protection lifted, the region
/// removed from the topology (so every peer's objects that name it go too: the program derives them from the
/// topology), and <c>pulumi up</c> with <c>PULUMI_K8S_DELETE_UNREACHABLE=true</c>, with which pulumi-kubernetes drops a
/// resource of an unreachable cluster from the state instead of failing its delete (provider/pkg/provider/provider.go
/// Delete: "configured Kubernetes cluster is unreachable and the `deleteUnreachable` option is enabled"). Run again, it
/// finishes what an interrupted run left: the state is what it reads.
/// </summary>
public sealed class RegionRemoval(StackTools tools, IProgress<string> progress)
{
    /// <summary>The environment variable pulumi-kubernetes reads (provider.go Configure, deleteUnreachable).</summary>
    public const string DeleteUnreachable = "PULUMI_K8S_DELETE_UNREACHABLE";

    /// <summary>Why <paramref name="region"/> cannot be removed from <paramref name="state"/>, or <c>null</c>.</summary>
    public static string? Refusal(StackState state, string region)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Topology.PrimaryRegion == region)
        {
            return $"--region: {region} is the primary region; fail over from it first (dr failover --to <another region>), then remove it.";
        }

        return state.SwitchoverSet || state.PromotionToken is not null
            ? "a switchover is under way; finish it (dr switchover --to <target>) before removing a region."
            : null;
    }

    /// <summary>What removing <paramref name="region"/> takes from the stack's state and config now.</summary>
    /// <exception cref="DrException">Neither the config nor the state has the region.</exception>
    public async Task<RemovalPlan> PlanAsync(StackState state, string region, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var index = state.Topology.Regions.ToList().FindIndex(r => r.Name == region);
        var cluster = new ClusterNames(region, state.Topology.Namespace.Name).Cluster;
        var urn = FailoverDriver.ClusterUrn(await tools.ExportAsync(cancellationToken), cluster);
        if (index < 0 && urn is null)
        {
            throw new DrException($"--region: the stack has no region {region}, in its config or its state ({string.Join(", ", state.Topology.Regions.Select(r => r.Name))}).", DrException.UsageExitCode);
        }

        return new RemovalPlan(region, urn, index >= 0 ? $"{StackState.TopologyKey}.regions[{index}]" : null);
    }

    /// <summary>Carries out <paramref name="plan"/>; returns verify's report of the regions left.</summary>
    public async Task<VerifyReport> RemoveAsync(RemovalPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.ClusterUrn is { } urn)
        {
            progress.Report($"pulumi state unprotect {urn}");
            await tools.UnprotectAsync(urn, cancellationToken);
        }

        if (plan.ConfigPath is { } path)
        {
            progress.Report($"pulumi config rm --path {path}");
            await tools.RemoveAsync(path, cancellationToken);
        }

        progress.Report(plan.Steps[^1]);
        await tools.UpAsync(progress, new Dictionary<string, string?> { [DeleteUnreachable] = "true" }, cancellationToken);
        return await SwitchoverDriver.VerifyAsync(tools, progress, cancellationToken);
    }
}

/// <summary>What is left of a region to remove.</summary>
/// <param name="Region">The region.</param>
/// <param name="ClusterUrn">Its Cluster in the state, protected, or <c>null</c> once gone from it.</param>
/// <param name="ConfigPath">Its entry in the config, or <c>null</c> once removed from it.</param>
public sealed record RemovalPlan(string Region, string? ClusterUrn, string? ConfigPath)
{
    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<string> Steps =>
    [
        .. ClusterUrn is null ? Array.Empty<string>() : [$"pulumi state unprotect {ClusterUrn}"],
        .. ConfigPath is null ? Array.Empty<string>() : [$"pulumi config rm --path {ConfigPath}"],
        $"{RegionRemoval.DeleteUnreachable}=true pulumi up: every resource of region {Region} deleted, or dropped from the state where its cluster does not answer; the other regions stop naming it; then verify",
    ];
}
