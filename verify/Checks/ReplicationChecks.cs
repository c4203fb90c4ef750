using System.Diagnostics;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>Roles, streaming over mTLS, and a write that reaches every replica.</summary>
public static class ReplicationChecks
{
    /// <summary>Every replication check of the topology.</summary>
    public static IEnumerable<Check> For(CheckContext context) =>
        context.Outputs.Regions.Select(region => new Check("recovery-role", region.Name, ct => RecoveryRoleAsync(context, region, ct)))
            .Concat(context.Replicas.Select(replica => new Check("streams-over-mtls", replica.Name, ct => StreamingAsync(context, replica, ct))))
            .Concat(context.Replicas.Select(replica => new Check("write-visible", replica.Name, ct => WriteVisibleAsync(context, replica, ct)) { Wait = CheckContext.DelayOf(replica) }));

    private static async Task<CheckOutcome> RecoveryRoleAsync(CheckContext context, RegionOutputs region, CancellationToken cancellationToken)
    {
        var target = ConnectionTarget.Instance(region);
        var view = await EndpointException.Attribute(target, "reading pg_is_in_recovery()", () => context.InstanceViewAsync(target).WaitAsync(cancellationToken));
        var (inRecovery, timeline) = (view.InRecovery, view.Timeline);
        var expected = region.Role == RegionRole.Replica;
        var detail = $"{region.Cluster} is {(inRecovery ? "in recovery" : "not in recovery")}, as a {region.Role.ToString().ToLowerInvariant()} must be{(timeline is { } t ? $"; timeline {t}" : string.Empty)}";
        var outcome = inRecovery == expected
            ? CheckOutcome.Pass(detail)
            : CheckOutcome.Fail(
                $"{region.Cluster} is {(inRecovery ? "in recovery" : "not in recovery")}",
                expected
                    ? $"{region.Cluster} should follow the primary but accepts writes: it was promoted (after a switchover or failover, give verify the stack's new outputs), or bootstrapped as a primary"
                    : $"{region.Cluster} is the primary but is in recovery: it was demoted (a switchover under way, or completed and these outputs are older), or is still starting");
        return outcome with { Timeline = timeline };
    }

    private static async Task<CheckOutcome> StreamingAsync(CheckContext context, RegionOutputs replica, CancellationToken cancellationToken)
    {
        var primary = ConnectionTarget.Instance(context.Primary);
        var issuer = DistinguishedNames.OneLineSubject(replica.ClientCaCertificate);
        var senders = (await EndpointException.Attribute(primary, "reading pg_stat_replication", () => context.InstanceViewAsync(primary).WaitAsync(cancellationToken))).WalSenders;

        var sender = senders.FirstOrDefault(s => s.IssuerDn == issuer);

        // The replica's WAL receiver names itself by cluster_name, which CNPG sets to the cluster's name, so a sender
        // under that name with another issuer is this replica presenting a certificate it should not hold.
        if (sender is null && senders.FirstOrDefault(s => s.ApplicationName == replica.Cluster) is { } foreign)
        {
            var owner = context.Outputs.Regions.FirstOrDefault(r => DistinguishedNames.OneLineSubject(r.ClientCaCertificate) == foreign.IssuerDn);
            var from = owner is null ? "a CA that is no region's client CA" : $"region {owner.Name}'s client CA";
            return CheckOutcome.Fail(
                $"walsender {foreign.State} for {foreign.ApplicationName}, client DN {foreign.ClientDn} issued by {foreign.IssuerDn}, not by {issuer}",
                $"replica {replica.Cluster} streams with a certificate issued by {foreign.IssuerDn} ({from}), not by its own region's client CA: its streaming_replica certificate (the Secret its externalClusters sslCert and sslKey name) must be issued by region {replica.Name}'s client CA");
        }

        if (sender is null)
        {
            var seen = senders.Count == 0 ? "no walsender at all" : string.Join("; ", senders.Select(s => $"{s.ClientDn} issued by {s.IssuerDn} ({s.State})"));
            return CheckOutcome.Fail(
                $"{context.Primary.Cluster} has no walsender for a certificate issued by {issuer} ({seen})",
                await NotStreamingAsync(context, replica));
        }

        var expectedCn = $"CN={RoleNames.StreamingReplica}";
        var detail = $"walsender {sender.State}, {(sender.Ssl ? sender.Version : "no TLS")}, client DN {sender.ClientDn} issued by {sender.IssuerDn}, replay lag {sender.ReplayLagMilliseconds:0.#} ms";
        if (!sender.Ssl)
        {
            return CheckOutcome.Fail(detail, $"{replica.Cluster} streams without TLS: the primary's pg_hba admits a non-hostssl replication rule");
        }

        if (!sender.ClientDn.Split('/').Contains(expectedCn, StringComparer.Ordinal))
        {
            return CheckOutcome.Fail(detail, $"{replica.Cluster} streams as {sender.ClientDn}, not {expectedCn}: it uses the wrong certificate");
        }

        var outcome = sender.State == "streaming"
            ? CheckOutcome.Pass(detail)
            : CheckOutcome.Fail(detail, sender.State == "startup"
                ? $"{replica.Cluster} is connected but has not started streaming (walsender state 'startup'): it is still starting, or the link stopped carrying during its handshake (the WAL receiver has no timeout before streaming begins)"
                : $"{replica.Cluster} is connected but in state '{sender.State}', not streaming: it is still catching up");
        return outcome with { Metrics = new Dictionary<string, double> { ["replayLagMs"] = sender.ReplayLagMilliseconds } };
    }

    // The replica's own view says why; a diagnosis that already says "replica not streaming" is not prefixed twice.
    private static async Task<Diagnosis> NotStreamingAsync(CheckContext context, RegionOutputs replica)
    {
        var diagnosis = await Diagnoses.ReplicaAsync(context, replica);
        return diagnosis.Text.StartsWith("replica not streaming", StringComparison.Ordinal) ? diagnosis : diagnosis with { Text = $"replica {replica.Cluster} is not streaming from the primary: {diagnosis.Text}" };
    }

    private static async Task<CheckOutcome> WriteVisibleAsync(CheckContext context, RegionOutputs replica, CancellationToken cancellationToken)
    {
        var pooler = ConnectionTarget.Pooler(context.Primary);
        var instance = ConnectionTarget.Instance(replica);
        // The probe table, the reader and the writer are made ready at once: each costs round trips across regions.
        var table = context.EnsureProbeTableAsync();
        var (reader, writer) = await CheckContext.OpenBothAsync(
            EndpointException.Attribute(instance, "connecting as the application role", () => context.OpenAsAppAsync(instance, cancellationToken)),
            EndpointException.Attribute(pooler, "connecting as the application role", () => context.OpenAsAppAsync(pooler, cancellationToken)));
        await using var readerConnection = reader;
        await using var writerConnection = writer;
        await table.WaitAsync(cancellationToken);

        var runId = await context.ProbeRows.TakeAsync(cancellationToken);
        await using var probe = new NpgsqlCommand($"SELECT EXISTS (SELECT 1 FROM {CheckContext.ProbeTable} WHERE run_id = $1)", reader) { Parameters = { new() { Value = runId } } };
        await using var insert = new NpgsqlCommand($"INSERT INTO {CheckContext.ProbeTable} (run_id, n, payload) VALUES ($1, 0, 'write-visible')", writer) { Parameters = { new() { Value = runId } } };
        await EndpointException.Attribute(pooler, "writing through the pooler", () => insert.ExecuteNonQueryAsync(cancellationToken));
        var sinceCommit = Stopwatch.StartNew();

        var delay = CheckContext.DelayOf(replica);
        var visible = await EndpointException.Attribute(instance, "reading the write", () => Polling.UntilAsync(
            async ct => await Polling.UnlessTableMissingAsync(async () => (bool)(await probe.ExecuteScalarAsync(ct))!),
            context.Options.Timeout + delay,
            cancellationToken));
        var lag = sinceCommit.Elapsed;
        if (!visible)
        {
            return CheckOutcome.Fail(
                $"a row written through {pooler} was not visible on {replica.Cluster} after {(context.Options.Timeout + delay).TotalSeconds:0.#} s{(delay > TimeSpan.Zero ? $" (its {delay.TotalSeconds:0} s delay included)" : string.Empty)}",
                await Diagnoses.ReplicaAsync(context, replica));
        }

        var metrics = new Dictionary<string, double> { ["lagMs"] = Math.Round(lag.TotalMilliseconds, 2) };
        if (delay > TimeSpan.Zero)
        {
            return DelayedOutcome(context, replica, pooler, lag, delay) with { Metrics = metrics };
        }

        var detail = $"written through {pooler.Endpoint.ServerName}, visible on {replica.Cluster} after {lag.TotalMilliseconds:0.0} ms";
        var outcome = lag <= context.Options.MaxLag
            ? CheckOutcome.Pass(detail)
            : CheckOutcome.Fail(detail, $"replication lag {lag.TotalMilliseconds:0} ms is over the threshold of {context.Options.MaxLag.TotalMilliseconds:0} ms");
        return outcome with { Metrics = metrics };
    }

    // A delayed replica passes when the row appears once the delay has passed (the floor, less the clock granularity of
    // CNPG's whole seconds) and within the lag threshold after it; seen earlier, the delay is not applied.
    private static CheckOutcome DelayedOutcome(CheckContext context, RegionOutputs replica, ConnectionTarget pooler, TimeSpan lag, TimeSpan delay)
    {
        var detail = $"written through {pooler.Endpoint.ServerName}, visible on {replica.Cluster} after {lag.TotalMilliseconds:0.0} ms, which holds back replay by {delay.TotalSeconds:0} s";
        if (lag < delay - DelayTolerance)
        {
            return CheckOutcome.Fail(detail, $"{replica.Cluster} showed the row {lag.TotalMilliseconds:0} ms after its commit, before its {delay.TotalSeconds:0} s delay: recovery_min_apply_delay is not applied (the Cluster's replica.minApplyDelay is missing, or CNPG did not reload)");
        }

        return lag <= delay + context.Options.MaxLag
            ? CheckOutcome.Pass(detail)
            : CheckOutcome.Fail(detail, $"replication lag {lag.TotalMilliseconds:0} ms is over the delay plus the threshold ({(delay + context.Options.MaxLag).TotalMilliseconds:0} ms)");
    }

    // PostgreSQL compares the standby's clock with the commit's timestamp, taken a moment before verify's own clock starts.
    private static readonly TimeSpan DelayTolerance = TimeSpan.FromMilliseconds(250);
}
