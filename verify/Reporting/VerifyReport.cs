using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Verify.Reporting;

/// <summary>The outcome of a run: every check and the verdict.</summary>
/// <param name="Environment">The stack name, or <c>sandbox</c>.</param>
/// <param name="Checks">Every check result, in suite order.</param>
/// <param name="Duration">Wall time of the whole run.</param>
public sealed record VerifyReport(string Environment, IReadOnlyList<CheckResult> Checks, TimeSpan Duration)
{
    /// <summary>The outputs checked: the regions the report summarises and the names its next commands use.</summary>
    public TopologyOutputs? Outputs { get; init; }

    /// <summary>The sandbox directory whose outputs were checked, which the next commands name with <c>--dir</c>; <c>null</c> for a stack.</summary>
    public string? SandboxDirectory { get; init; }

    /// <summary>Whether <paramref name="region"/>'s primary is fenced: by a failover, as the outputs say, or in CNPG's view (<c>--kube</c>).</summary>
    public bool IsFenced(string region) =>
        Outputs?.Regions.Any(r => r.Name == region && r.Fenced == true) == true || FencedByCnpg(region);

    /// <summary>Whether CNPG's view of <paramref name="region"/> (<c>--kube</c>) fences its primary.</summary>
    public bool FencedByCnpg(string region) => Checks.Any(c => c.Region == region && c.Fenced == true);

    /// <summary>Whether every check passed (warnings allowed).</summary>
    public bool Passed => Checks.All(c => c.Status != CheckStatus.Failed);

    /// <summary>Checks with the given status.</summary>
    public int Count(CheckStatus status) => Checks.Count(c => c.Status == status);
}
