using System.Diagnostics;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Verify;

/// <summary>Runs the whole suite against a topology.</summary>
public static class VerifyRunner
{
    /// <summary>Runs every check; <paramref name="completed"/> hears each result as it finishes.</summary>
    public static async Task<VerifyReport> RunAsync(TopologyOutputs outputs, VerifyOptions options, Action<CheckResult>? completed = null, CancellationToken cancellationToken = default)
    {
        var elapsed = Stopwatch.StartNew();
        using var context = new CheckContext(outputs, options);
        var results = await CheckSuite.RunAsync(context, CheckSuite.For(context), completed, cancellationToken);
        return new VerifyReport(outputs.Environment, results, elapsed.Elapsed);
    }
}
