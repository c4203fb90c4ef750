using System.Text.Json.Nodes;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using CrossClusterIac.Verify.Reporting;
using Npgsql;

namespace CrossClusterIac.Dr;

/// <summary>
/// A failover when the primary region is gone: the target is promoted without a token (CNPG promotes a replica
/// cluster whose <c>replica.primary</c> names itself at once), the old primary is fenced where its API still answers,
/// and <see cref="RejoinAsync"/> rebuilds it later as a replica, so that it never comes back as a second primary.
/// </summary>
public sealed class FailoverDriver(StackTools tools, IProgress<string> progress)
{
    private const string RebuildKey = Topology.Config.TopologyConfigLoader.RebuildKey;
    private const string FailoverKey = Topology.Config.TopologyConfigLoader.FailoverKey;

    /// <summary>The limit of each read of a replay position: the open, TLS included, and the query.</summary>
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// What the target knows of the old primary's last position, from its WAL receiver, and whether each other replica
    /// region can follow the target's new timeline (<see cref="TimelineFollowers"/>), all read as the verify identity
    /// (pg_monitor). The other regions are read after the target, in parallel, each within <see cref="ReadTimeout"/>:
    /// one that does not answer is reported as unknown, not a reason to stop, since a failover is for when regions are gone.
    /// </summary>
    public async Task<Exposure> ExposureAsync(string from, string to, CancellationToken cancellationToken)
    {
        var outputs = TopologyOutputsJson.Parse(await tools.OutputsAsync(cancellationToken));
        var connector = new Connector(Connector.TrustAnchors(outputs.RootCaCertificate), outputs.Database, ReadTimeout);
        var (line, replayed) = await TargetAsync(outputs, connector, from, to, cancellationToken);

        // Once the target is out of recovery its timeline has forked already, at a point this read no longer gives.
        if (replayed is not { } fork)
        {
            return new Exposure(line, []);
        }

        var others = await Task.WhenAll(outputs.Regions.Where(r => r.Name != from && r.Name != to).Select(r => ReplayAsync(outputs, connector, r, cancellationToken)));
        return new Exposure(line, TimelineFollowers.Judge(tools.Stack, to, fork, others));
    }

    private static async Task<(string Line, Lsn? Replayed)> TargetAsync(TopologyOutputs outputs, Connector connector, string from, string to, CancellationToken cancellationToken)
    {
        var region = outputs.Regions.Single(r => r.Name == to);
        using var identity = ClientIdentity.For(outputs, region, ClientNames.Verify);
        try
        {
            await using var connection = await connector.OpenAsync(ConnectionTarget.Instance(region), identity, cancellationToken);
            await using var command = new NpgsqlCommand(
                """
                SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, pg_last_xact_replay_timestamp()::text,
                       (SELECT latest_end_lsn::text FROM pg_stat_wal_receiver), (SELECT latest_end_time::text FROM pg_stat_wal_receiver)
                """,
                connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            if (!reader.GetBoolean(0))
            {
                return ($"pg-{to} is already not in recovery: it accepts writes.", null);
            }

            var replayed = $"pg-{to} replayed WAL up to {Text(1)} (its last transaction from pg-{from} at {Text(2) ?? "unknown"})";
            var line = Text(3) is { } reported
                ? $"{replayed}; pg-{from} last reported its WAL end as {reported} at {Text(4)}: what pg-{from} committed past {Text(1)} is lost"
                : $"{replayed}; it no longer hears from pg-{from}, so what pg-{from} committed after that transaction is lost";
            return (line, Lsn.TryParse(Text(1), out var position) ? position : null);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException)
        {
            throw new DrException($"cannot read pg-{to}'s replay position ({region.Instance.Host}:{region.Instance.Port}): {e.Message}. A failover to a region that cannot be reached is not one.");
        }
    }

    /// <summary>Another replica region's replay position while in recovery, or why there is none; never throws for the region's own failures.</summary>
    private static async Task<ReplicaReplay> ReplayAsync(TopologyOutputs outputs, Connector connector, RegionOutputs region, CancellationToken cancellationToken)
    {
        var target = ConnectionTarget.Instance(region);
        var endpoint = $"{region.Instance.Host}:{region.Instance.Port}";

        // The Connector bounds the open and the query each; this bounds the two together, and anything between them.
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(ReadTimeout);
        try
        {
            using var identity = ClientIdentity.For(outputs, region, ClientNames.Verify);
            await using var connection = await connector.OpenAsync(target, identity, limit.Token);
            await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text", connection);
            await using var reader = await command.ExecuteReaderAsync(limit.Token);
            await reader.ReadAsync(limit.Token);
            if (!reader.GetBoolean(0))
            {
                return ReplicaReplay.Unknown(region.Name, endpoint, "it answered but is not in recovery: it accepts writes");
            }

            return Lsn.TryParse(reader.IsDBNull(1) ? null : reader.GetString(1), out var replayed)
                ? ReplicaReplay.At(region.Name, endpoint, replayed)
                : ReplicaReplay.Unknown(region.Name, endpoint, "it is in recovery but has replayed no WAL yet");
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ReplicaReplay.Unknown(region.Name, endpoint, Fault.Of(e, target).Description);
        }
    }

    /// <summary>
    /// The primary region of the stack's last deployment (its <c>deployedIdentity</c> output), or <c>null</c> when the
    /// outputs do not say (a stack deployed before they did).
    /// </summary>
    public async Task<string?> DeployedPrimaryAsync(CancellationToken cancellationToken) =>
        TopologyOutputsJson.Parse(await tools.OutputsAsync(cancellationToken)).DeployedIdentity?.PrimaryRegion;

    /// <summary>
    /// Promotes <paramref name="to"/> in place of <paramref name="from"/>: the completed topology with it as primary,
    /// applied to every region that answers. Run again for a failover whose config is set but whose update did not
    /// land (<paramref name="from"/> then is the last deployment's primary), it applies it again.
    /// </summary>
    public async Task<VerifyReport> FailoverAsync(StackState state, string from, string to, CancellationToken cancellationToken)
    {
        var ns = state.Topology.Namespace.Name;
        var old = new ClusterNames(from, ns).Cluster;
        try
        {
            progress.Report($"Fencing {old} ({Fencing.Annotation}) so that it cannot take writes if its region answers");
            await tools.FenceAsync(state.ContextOf(from), ns, old, cancellationToken);
        }
        catch (DrException e)
        {
            progress.Report($"Could not fence {old}: {e.Message}");
            progress.Report($"Before its region comes back, fence it: kubectl --context {state.ContextOf(from)} --namespace {ns} annotate --overwrite clusters.postgresql.cnpg.io {old} '{Fencing.Annotation}={Fencing.EveryInstance}'");
        }

        // The key tells the program this move of the primary is meant (DeployedIdentity.PrimaryMovesIn); it is set first
        // and removed once the update is done, so a stale stack file can never carry it.
        progress.Report($"pulumi config: {FailoverKey} {to}, primaryRegion {to}{(state.SwitchoverSet ? ", switchover removed" : string.Empty)}{(state.PromotionToken is null ? string.Empty : $", {StackState.PromotionTokenKey} removed")}");
        await tools.SetAsync(FailoverKey, to, cancellationToken);
        await tools.SetAsync($"{StackState.TopologyKey}.primaryRegion", to, cancellationToken);
        if (state.SwitchoverSet)
        {
            await tools.RemoveAsync($"{StackState.TopologyKey}.switchover", cancellationToken);
        }

        if (state.PromotionToken is not null)
        {
            await tools.RemoveAsync(StackState.PromotionTokenKey, cancellationToken);
        }

        progress.Report($"pulumi up --continue-on-error: {new ClusterNames(to, ns).Cluster} promoted without a token; {from}'s resources fail while its cluster is unreachable (pulumi CLI 3.114 or later)");
        DrException? failed = null;
        try
        {
            await tools.UpAsync(progress, cancellationToken, "--continue-on-error");
        }
        catch (DrException e)
        {
            failed = e;
        }

        await tools.RemoveAsync(FailoverKey, cancellationToken);

        // Errors from the region that is gone are expected; whether the update landed is what the stack's outputs say.
        if (await DeployedPrimaryAsync(cancellationToken) is { } deployed && deployed != to)
        {
            throw new DrException($"pulumi up did not apply the failover: the last deployment's primary is still {deployed}{(failed is null ? string.Empty : $" ({failed.Message})")}. Fix what it says and run the same command again: it applies the failover again.", DrException.StepFailedExitCode);
        }

        if (failed is not null)
        {
            progress.Report($"pulumi up reported errors, expected for region {from} while it is gone: {failed.Message}");
        }

        progress.Report($"When region {from} is back: `dr rejoin --stack {tools.Stack} --region {from}` rebuilds {old} as a replica of {new ClusterNames(to, ns).Cluster}");
        return await SwitchoverDriver.VerifyAsync(tools, progress, cancellationToken);
    }

    /// <summary>
    /// Rebuilds a former primary as a replica: fenced first, then its Cluster replaced (<c>pulumi up --replace</c>),
    /// so that it bootstraps again from the new primary's backup: CNPG's docs, "a failover will be triggered,
    /// necessitating a rebuild of the former primary" (docs/src/replica_cluster.md). <c>cross-cluster-dr:rebuild</c>
    /// names the region meanwhile, so that the replacement takes the manifest's bootstrap rather than the ignored one
    /// it was made with, delete-first (<see cref="Topology.Lifecycle.ResourcePolicy"/>); it is removed once the
    /// replacement is done. The fence goes with the fenced Cluster, and its successor is a replica from its creation
    /// (it never takes writes); the rejoin ends with verify, which says whether the rebuilt region streams.
    /// Run again after an error, it resumes: the replacement again while the old Cluster is in the state, or, once the
    /// delete-first replacement deleted it and stopped, a plain <c>pulumi up</c> that creates it with the key still set.
    /// </summary>
    public async Task<VerifyReport> RejoinAsync(StackState state, string region, CancellationToken cancellationToken)
    {
        if (state.Topology.PrimaryRegion == region)
        {
            throw new DrException($"--region: {region} is the primary region; rejoin rebuilds a former primary after a failover.", DrException.UsageExitCode);
        }

        if (state.Rebuild is { } other && other != region)
        {
            throw new DrException($"--region: {RebuildKey} names {other}, whose rebuild an error stopped: finish it first (`dr rejoin --stack {tools.Stack} --region {other}`), or give it up with `pulumi config rm {RebuildKey}`.", DrException.UsageExitCode);
        }

        var ns = state.Topology.Namespace.Name;
        var cluster = new ClusterNames(region, ns).Cluster;
        var urn = ClusterUrn(await tools.ExportAsync(cancellationToken), cluster);
        string[] upArguments;
        if (urn is not null)
        {
            progress.Report($"Fencing {cluster} while it is rebuilt");
            await tools.FenceAsync(state.ContextOf(region), ns, cluster, cancellationToken);
            progress.Report($"pulumi config set {RebuildKey} {region}; pulumi up --replace {urn}; pulumi config rm {RebuildKey}");
            await tools.SetAsync(RebuildKey, region, cancellationToken);
            upArguments = ["--replace", urn];
        }
        else if (state.Rebuild == region)
        {
            // The delete-first replacement deleted the Cluster, and the update stopped before creating it again.
            progress.Report($"Resuming the rebuild of {cluster}: the stack's state no longer has it (the replacement deleted it); pulumi up creates it as a replica; pulumi config rm {RebuildKey}");
            upArguments = [];
        }
        else
        {
            throw new DrException($"the stack's state has no Cluster {cluster}; `pulumi up` creates it as a replica.");
        }

        try
        {
            await tools.UpAsync(progress, cancellationToken, upArguments);
        }
        catch (DrException e)
        {
            throw new DrException($"{e.Message} {RebuildKey} stays set to {region}: run the same dr rejoin again to retry (it resumes where this one stopped), or give the rebuild up for now with `pulumi config rm {RebuildKey}`{(urn is null ? "." : $"; {cluster} stays fenced either way, as a former primary must not take writes.")}", e.ExitCode);
        }

        await tools.RemoveAsync(RebuildKey, cancellationToken);
        return await SwitchoverDriver.VerifyAsync(tools, progress, cancellationToken);
    }

    /// <summary>The URN of the CNPG Cluster named <paramref name="cluster"/> in <c>pulumi stack export</c>'s deployment.</summary>
    public static string? ClusterUrn(string export, string cluster) =>
        (JsonNode.Parse(export)?["deployment"]?["resources"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .FirstOrDefault(r => r["type"]?.ToString() == "kubernetes:postgresql.cnpg.io/v1:Cluster" && r["inputs"]?["metadata"]?["name"]?.ToString() == cluster)?["urn"]?.ToString();
}

/// <summary>What <c>dr failover</c> says before it promotes.</summary>
/// <param name="Line">What may be lost: the target's replay position against the old primary's last reported one.</param>
/// <param name="Followers">Each other replica region's verdict; none when the target is no longer in recovery.</param>
public sealed record Exposure(string Line, IReadOnlyList<FollowVerdict> Followers);
