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

    /// <summary>Whether every check passed (warnings allowed).</summary>
    public bool Passed => Checks.All(c => c.Status != CheckStatus.Failed);

    /// <summary>Checks with the given status.</summary>
    public int Count(CheckStatus status) => Checks.Count(c => c.Status == status);
}
