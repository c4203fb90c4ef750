using System.Diagnostics;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Verify;

/// <summary>Runs the whole suite against a topology.</summary>
public static class VerifyRunner
{
    /// <summary>
    /// Runs every check; <paramref name="completed"/> hears each result as it finishes. The probe rows the run wrote are
    /// removed on every way out: a failure to remove them fails the report.
    /// </summary>
    /// <exception cref="VerifyInterruptedException"><paramref name="cancellationToken"/> was cancelled; it says what became of the probe rows.</exception>
    public static async Task<VerifyReport> RunAsync(TopologyOutputs outputs, VerifyOptions options, Action<CheckResult>? completed = null, CancellationToken cancellationToken = default)
    {
        var elapsed = Stopwatch.StartNew();
        await using var context = new CheckContext(outputs, options, cancellationToken);
        IReadOnlyList<CheckResult> results;
        try
        {
            results = await CheckSuite.RunAsync(context, CheckSuite.For(context), completed, cancellationToken);
        }
        catch (Exception e) when (cancellationToken.IsCancellationRequested)
        {
            // Whatever a check threw once the run was interrupted came of the interruption (a connection attempt torn
            // down mid-handshake surfaces as that endpoint's failure): the interruption is what is reported.
            throw new VerifyInterruptedException((await context.ProbeRows.RemoveAsync()).Summary, e, cancellationToken);
        }

        var removal = Stopwatch.StartNew();
        if (await context.ProbeRows.RemoveAsync() is { Left: true } rows)
        {
            var left = new CheckResult("leaves-no-probe-rows", outputs.PrimaryRegion, CheckStatus.Failed, removal.Elapsed, rows.Summary, $"remove them with DELETE FROM {CheckContext.ProbeTable}, or run verify again");
            completed?.Invoke(left);
            results = [.. results, left];
        }

        return new VerifyReport(outputs.Environment, results, elapsed.Elapsed) { Outputs = outputs };
    }
}

/// <summary>A run was cancelled; the probe rows it wrote were removed, or the message says why not.</summary>
public sealed class VerifyInterruptedException(string probeRows, Exception inner, CancellationToken token)
    : OperationCanceledException($"verify was interrupted; {probeRows}", inner, token)
{
    /// <summary>What became of the run's probe rows, e.g. "probe rows removed".</summary>
    public string ProbeRows { get; } = probeRows;
}
