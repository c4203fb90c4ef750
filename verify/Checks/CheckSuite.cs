using System.Collections.Concurrent;
using System.Diagnostics;
using CrossClusterIac.Verify.Connections;

namespace CrossClusterIac.Verify.Checks;

/// <summary>Every check of a topology, run concurrently, each within its own limit.</summary>
public static class CheckSuite
{
    /// <summary>The checks, in report order; CNPG's view (<see cref="CnpgChecks"/>) only with <c>--kube</c>.</summary>
    public static IReadOnlyList<Check> For(CheckContext context) =>
    [
        .. CertificateChecks.For(context),
        .. TlsChecks.For(context),
        .. CertificateGenerationChecks.For(context),
        .. ReplicationChecks.For(context),
        .. DataChecks.For(context),
        .. CrossRegionChecks.For(context),
        .. WriterChecks.For(context),
        .. RefusalChecks.For(context),
        .. PasswordRefusalChecks.For(context),
        .. CnpgChecks.For(context),
    ];

    /// <summary>
    /// Runs <paramref name="checks"/> concurrently: checks against different regions do not wait on each other. Each
    /// is bounded by a limit of its own, so a hung endpoint costs a diagnosis, not the run.
    /// </summary>
    public static async Task<IReadOnlyList<CheckResult>> RunAsync(CheckContext context, IReadOnlyList<Check> checks, Action<CheckResult>? completed, CancellationToken cancellationToken)
    {
        // A check connects and then waits, each step within the timeout; beyond both, it is stuck.
        var limit = (context.Options.Timeout * 3) + TimeSpan.FromSeconds(1);
        var bodies = new ConcurrentBag<Task>();
        try
        {
            return await Task.WhenAll(checks.Select(async check =>
            {
                var result = await RunOneAsync(context, check, limit + check.Wait, bodies, cancellationToken);
                completed?.Invoke(result);
                return result;
            }));
        }
        finally
        {
            await SettleAsync(bodies);
        }
    }

    /// <summary>
    /// Waits, within <see cref="SettleLimit"/>, for check bodies that were given up on. A cancelled body may still be
    /// inside a command: Npgsql sends PostgreSQL a cancel request and waits up to its Cancellation Timeout (2 s by
    /// default, https://www.npgsql.org/doc/connection-string-parameters.html) for the server to abort it. The run's rows
    /// are removed only after that, or an INSERT could commit after the DELETE meant to remove it.
    /// </summary>
    private static async Task SettleAsync(IEnumerable<Task> bodies)
    {
        var all = Task.WhenAll(bodies);
        await Task.WhenAny(all, Task.Delay(SettleLimit));

        // Their outcomes were reported, or the run was interrupted; what they threw afterwards is of no use.
        _ = all.ContinueWith(t => t.Exception, TaskScheduler.Default);
    }

    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(5);

    private static async Task<CheckResult> RunOneAsync(CheckContext context, Check check, TimeSpan limit, ConcurrentBag<Task> bodies, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var elapsed = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        CheckOutcome outcome;
        try
        {
            var body = check.Run(deadline.Token);
            bodies.Add(body);
            outcome = await body.WaitAsync(deadline.Token);
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

        return new CheckResult(check.Name, check.Region, outcome.Status, elapsed.Elapsed, outcome.Detail, outcome.Diagnosis, outcome.Metrics) { Cause = outcome.Cause, Timeline = outcome.Timeline, Fenced = outcome.Fenced };
    }
}
