using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Reporting;

namespace CrossClusterIac.Dr;

/// <summary>Runs a switchover's steps against a stack, each wait bounded, reporting progress as it goes.</summary>
public sealed class SwitchoverDriver(StackTools tools, IProgress<string> progress, TimeSpan wait)
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    /// <summary>Runs <paramref name="steps"/>, planned from <paramref name="state"/>, in order; returns verify's report.</summary>
    public async Task<VerifyReport> RunAsync(StackState state, IReadOnlyList<SwitchoverStep> steps, CancellationToken cancellationToken)
    {
        VerifyReport? report = null;
        var ns = state.Topology.Namespace.Name;
        foreach (var (step, index) in steps.Select((s, i) => (s, i + 1)))
        {
            progress.Report($"[{index}/{steps.Count}] {step.Describe()}");
            var (from, to) = (new ClusterNames(step.From, ns).Cluster, new ClusterNames(step.To, ns).Cluster);
            switch (step.Action)
            {
                case SwitchoverAction.SetTarget:
                    await tools.SetAsync($"{StackState.TopologyKey}.switchover.to", step.To, cancellationToken);
                    break;
                case SwitchoverAction.ApplyDemotion or SwitchoverAction.ApplyPromotion or SwitchoverAction.ApplyCompleted:
                    await tools.UpAsync(progress, cancellationToken);
                    break;
                case SwitchoverAction.AwaitDemotionToken:
                    // CNPG's operator writes it once the old primary is shut down (replicaclusterswitch generateDemotionToken).
                    var token = await UntilAsync(() => tools.ClusterFieldAsync(state.ContextOf(step.From), ns, from, ".status.demotionToken", cancellationToken), t => t.Length > 0, $"{from}'s .status.demotionToken", cancellationToken);
                    await tools.SetSecretAsync(StackState.PromotionTokenKey, token, cancellationToken);
                    break;
                case SwitchoverAction.AwaitPromotion:
                    var expected = (await tools.ReadStateAsync(cancellationToken)).PromotionToken;
                    // Set by the instance manager right after pg_ctl promote (instance_controller.go: "Updated last promotion token").
                    await UntilAsync(() => tools.ClusterFieldAsync(state.ContextOf(step.To), ns, to, ".status.lastPromotionToken", cancellationToken), t => t == expected, $"{to}'s .status.lastPromotionToken to be the token (a Cluster phase of Unrecoverable means CNPG refused it: `kubectl get cluster {to} -o jsonpath='{{.status.phaseReason}}'`)", cancellationToken);
                    break;
                case SwitchoverAction.Complete:
                    var now = await tools.ReadStateAsync(cancellationToken);
                    if (now.Topology.PrimaryRegion != step.To)
                    {
                        await tools.SetAsync($"{StackState.TopologyKey}.primaryRegion", step.To, cancellationToken);
                    }

                    if (now.SwitchoverSet)
                    {
                        await tools.RemoveAsync($"{StackState.TopologyKey}.switchover", cancellationToken);
                    }

                    if (now.PromotionToken is not null)
                    {
                        await tools.RemoveAsync(StackState.PromotionTokenKey, cancellationToken);
                    }

                    break;
                default:
                    report = await VerifyAsync(tools, progress, cancellationToken);
                    break;
            }
        }

        return report ?? await VerifyAsync(tools, progress, cancellationToken);
    }

    // PgBouncer refuses new logins for server_login_retry (15 s by default, which CNPG keeps) once a server login failed
    // (PgBouncer src/objects.c disconnect_server, check_fast_fail): a pooler whose instance was just restarted by a
    // demotion does so for a moment, which is no fault of the topology.
    private static readonly TimeSpan PoolerLoginRetry = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Runs verify on the stack's outputs, read with their secrets into memory only; once more after PgBouncer's
    /// <c>server_login_retry</c> when that pause is all that failed.
    /// </summary>
    public static async Task<VerifyReport> VerifyAsync(StackTools tools, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var report = await VerifyOnceAsync(tools, cancellationToken);
        var failed = report.Checks.Where(c => c.Status == Verify.Checks.CheckStatus.Failed).ToList();
        if (failed.Count == 0 || !failed.All(c => c.Diagnosis?.Contains("server_login_retry", StringComparison.Ordinal) == true))
        {
            return report;
        }

        progress.Report($"{string.Join(", ", failed.Select(c => c.Region).Distinct())}: PgBouncer pauses logins after its instance restarted (server_login_retry); verifying again in {PoolerLoginRetry.TotalSeconds:0} s");
        await Task.Delay(PoolerLoginRetry, cancellationToken);
        return await VerifyOnceAsync(tools, cancellationToken);
    }

    private static async Task<VerifyReport> VerifyOnceAsync(StackTools tools, CancellationToken cancellationToken)
    {
        TopologyOutputs outputs;
        try
        {
            outputs = TopologyOutputsJson.Parse(await tools.OutputsAsync(cancellationToken));
        }
        catch (OutputsFormatException e)
        {
            throw new DrException($"the stack's outputs are not what verify reads: {e.Message}");
        }

        return await VerifyRunner.RunAsync(outputs, new VerifyOptions(), null, cancellationToken);
    }

    private async Task<string> UntilAsync(Func<Task<string>> read, Func<string, bool> done, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + wait;
        var waited = TimeSpan.Zero;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new DrException($"gave up waiting for {what} after {wait.TotalMinutes:0.#} min; run the same command again to keep waiting.");
            }

            if (waited.TotalSeconds % 30 < Poll.TotalSeconds)
            {
                progress.Report($"      waiting for {what} ({waited.TotalSeconds:0} s)");
            }

            await Task.Delay(Poll, cancellationToken);
            waited += Poll;
        }
    }
}
