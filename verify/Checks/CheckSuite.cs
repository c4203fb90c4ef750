using System.Diagnostics;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>Every check of a topology, run concurrently, each within its own limit.</summary>
public static class CheckSuite
{
    /// <summary>The checks, in report order.</summary>
    public static IReadOnlyList<Check> For(CheckContext context) =>
    [
        .. CertificateChecks.For(context),
        .. TlsChecks.For(context),
        .. ReplicationChecks.For(context),
        .. DataChecks.For(context),
        .. CrossRegionChecks.For(context),
        .. RefusalChecks.For(context),
        .. PasswordRefusalChecks.For(context),
    ];

    /// <summary>
    /// Runs <paramref name="checks"/> concurrently: checks against different regions do not wait on each other. Each
    /// is bounded by a limit of its own, so a hung endpoint costs a diagnosis, not the run.
    /// </summary>
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(CheckContext context, IReadOnlyList<Check> checks, Action<CheckResult>? completed, CancellationToken cancellationToken)
    {
        // A check connects and then waits, each step within the timeout; beyond both, it is stuck.
        var limit = (context.Options.Timeout * 3) + TimeSpan.FromSeconds(1);
        var results = await Task.WhenAll(checks.Select(async check =>
        {
            var result = await RunOneAsync(context, check, limit, cancellationToken);
            completed?.Invoke(result);
            return result;
        }));
        return results;
    }

    private static async Task<CheckResult> RunOneAsync(CheckContext context, Check check, TimeSpan limit, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var elapsed = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        CheckOutcome outcome;
        try
        {
            outcome = await check.Run(deadline.Token).WaitAsync(deadline.Token);
        }
        catch (EndpointException failure) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = CheckOutcome.Fail($"{failure.Action} at {failure.Target} failed", await Diagnoses.EndpointAsync(context, failure.InnerException!, failure.Target));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            outcome = CheckOutcome.Fail($"did not finish within {limit.TotalSeconds:0} s", "an endpoint accepted the connection but never answered: look for a stuck server or pooler in this region");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // One check's surprise must not cost the report of every other check.
            outcome = CheckOutcome.Fail($"the check itself failed: {e.GetType().Name}: {e.Message}", "unexpected; the detail names the error");
        }

        return new CheckResult(check.Name, check.Region, outcome.Status, elapsed.Elapsed, outcome.Detail, outcome.Diagnosis, outcome.Metrics);
    }
}
