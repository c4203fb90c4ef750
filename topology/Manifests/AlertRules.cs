using System.Globalization;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// The alerts of one region's PrometheusRule, each over that region's pods only, on series CNPG v1.30.0 really emits
/// (every one cited in docs/cnpg-fidelity.md): the instance exporter's default queries (config/manager/default-monitoring.yaml;
/// a metric is <c>cnpg_</c> + query + <c>_</c> + column, <c>LABEL</c> columns as labels,
/// pkg/management/postgres/metrics/collector.go), the pooler exporter's <c>cnpg_pgbouncer_last_collection_error</c>
/// (pkg/management/pgbouncer/metricsserver/pgbouncer_collector.go), and Prometheus' own <c>up</c> of the scrape job the
/// PodMonitor makes (job <c>namespace/name</c>, prometheus-operator pkg/prometheus/promcfg.go generatePodMonitorConfig).
/// </summary>
public static class AlertRules
{
    /// <summary>
    /// How long the lag alert waits beyond a replica's own delay. A delayed replica's lag reads the time since the last
    /// replayed commit while newer WAL waits (CNPG's <c>pg_replication</c> query: <c>now() − pg_last_xact_replay_timestamp()</c>
    /// while receive ≠ replay), so after a quiet spell on the primary it reads the gap plus the delay for up to the delay
    /// itself, until the new commit's delay runs out and it falls to 0. Holding the condition longer than the delay is what
    /// a replay that really stalls does, and a healthy one never does.
    /// </summary>
    private const int LagForSeconds = 120;

    /// <summary>The region's alerts; those that would lie in the topology's replication mode are left out.</summary>
    public static IReadOnlyList<AlertRule> For(TopologyConfig topology, RegionConfig region, ClusterNames names)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(names);
        var instances = $"namespace=\"{names.Namespace}\",pod=~\"{names.Cluster}-[0-9]+\"";
        var streaming = topology.Replication.Mode == ReplicationMode.Streaming;
        var rules = new List<AlertRule>();
        if (streaming)
        {
            // In archive mode a replica has no WAL receiver by design, and with none pg_last_wal_receive_lsn() is NULL, so
            // CNPG's lag reads the time since the last replayed commit, however quiet the primary: both would fire
            // on a healthy replica. The README says what watches that mode.
            rules.Add(NotStreaming(names, instances));
            rules.Add(LagHigh(topology, region, names, instances));
            rules.AddRange(topology.Regions.Where(r => r.Name != region.Name).Select(r => RegionMissing(names, instances, new ClusterNames(r.Name!, names.Namespace))));
        }
        else if (topology.Monitoring.ArchiveReplicaLagSeconds is { } archiveLag)
        {
            rules.Add(ArchiveReplayStalled(region, names, instances, archiveLag));
        }

        rules.Add(ArchiveFailing(names, instances));
        rules.Add(CertificateExpiring(names, instances));
        rules.Add(PoolerDown(names));
        return rules;
    }

    private static AlertRule NotStreaming(ClusterNames names, string instances) => new(
        "CrossClusterReplicaNotStreaming",
        $"cnpg_pg_replication_in_recovery{{{instances}}} == 1 and cnpg_pg_replication_is_wal_receiver_up{{{instances}}} == 0",
        "1m",
        "critical",
        $"{names.Cluster} replays without a WAL receiver",
        $"An instance of {names.Cluster} is in recovery with no WAL receiver: the link to its source is cut, or the source's region is dark, and it replays only what reaches the archive. CNPG's Ready condition does not cover the link to another cluster (cloudnative-pg #817), so the Cluster may still say Ready. First: verify --kube.");

    private static AlertRule LagHigh(TopologyConfig topology, RegionConfig region, ClusterNames names, string instances)
    {
        var delay = ApplyDelay.WholeSeconds(region.Replication?.MinApplyDelay) ?? 0;
        var lag = delay + topology.Monitoring.ReplicationLagSeconds;
        return new(
            "CrossClusterReplicationLagHigh",
            $"cnpg_pg_replication_lag{{{instances}}} > {lag.ToString(CultureInfo.InvariantCulture)}",
            Duration(delay + LagForSeconds),
            "warning",
            $"{names.Cluster} replays more than {lag} s behind",
            delay > 0
                ? $"An instance of {names.Cluster}, which holds back replay by {delay} s on purpose (minApplyDelay), has been more than {topology.Monitoring.ReplicationLagSeconds} s behind beyond that delay for longer than the delay itself, which a replay that keeps up never is. First: verify (write-visible, streams-over-mtls)."
                : $"An instance of {names.Cluster} last replayed a commit more than {lag} s ago while WAL waits. First: verify (write-visible, streams-over-mtls).");
    }

    // An archive-only replica has no WAL receiver, so CNPG's lag reads now − pg_last_xact_replay_timestamp() whenever
    // it is in recovery (default-monitoring.yaml pg_replication: pg_last_wal_receive_lsn() is NULL, so the CASE falls to
    // its ELSE): the age of the last commit it replayed, which a stalled restore (restore_command failing, the source's
    // store unreadable, replay paused) lets grow while the primary commits and archives. A quiet primary lets it grow
    // as well, and nothing either region exports tells the two apart, so the rule is rendered only when the operator
    // sets the threshold, which says the primary commits more often than that (less the archive timeout).
    private static AlertRule ArchiveReplayStalled(RegionConfig region, ClusterNames names, string instances, int archiveLag)
    {
        var delay = ApplyDelay.WholeSeconds(region.Replication?.MinApplyDelay) ?? 0;
        var lag = delay + archiveLag;
        return new(
            "CrossClusterArchiveReplayStalled",
            $"cnpg_pg_replication_in_recovery{{{instances}}} == 1 and cnpg_pg_replication_lag{{{instances}}} > {lag.ToString(CultureInfo.InvariantCulture)}",
            "1m",
            "critical",
            $"{names.Cluster} has replayed no commit from the archive for {lag} s",
            $"An instance of {names.Cluster}, which replays only the WAL archive (replication.mode archive), last replayed a commit more than {lag} s ago, while the primary commits more often than that (monitoring.archiveReplicaLagSeconds): its restore_command fails, the source's object store is unreadable for it, or its replay is paused. First: kubectl logs of the instance (restore_command errors), then verify (write-visible).");
    }

    // The primary's own view of a replica region: its walsender for that region's designated primary, whose
    // application_name is the replica Cluster's name (CNPG writes no application_name into primary_conninfo,
    // pkg/management/postgres/instance_replica.go, and sets cluster_name, pkg/postgres/configuration.go; PostgreSQL 15's
    // walreceiver falls back to cluster_name, src/backend/replication/walreceiver.c WalReceiverMain). Rendered in every
    // region, gated on the instance being a primary (in_recovery 0), so it holds wherever the primary is; it sees a
    // region whose own Prometheus went dark with it.
    private static AlertRule RegionMissing(ClusterNames names, string instances, ClusterNames replica) => new(
        "CrossClusterReplicaRegionMissing",
        $"cnpg_pg_replication_in_recovery{{{instances}}} == 0 unless on (namespace, pod) cnpg_pg_stat_replication_backend_start{{{instances},usename=\"streaming_replica\",application_name=\"{replica.Cluster}\"}}",
        "1m",
        "critical",
        $"{replica.Cluster} does not stream from the primary {names.Cluster}",
        $"The primary {names.Cluster} has no walsender for {replica.Cluster}: that region is dark, its designated primary is down, or the link is cut. Its own alerts may have gone dark with it. First: kubectl --context <the context of {replica.Region}> get cluster {replica.Cluster}, then verify (streams-over-mtls).",
        new Dictionary<string, string>(StringComparer.Ordinal) { ["replica_cluster"] = replica.Cluster });

    private static AlertRule ArchiveFailing(ClusterNames names, string instances) => new(
        "CrossClusterArchiveFailing",
        $"cnpg_pg_stat_archiver_last_failed_time{{{instances}}} > cnpg_pg_stat_archiver_last_archived_time{{{instances}}}",
        "5m",
        "critical",
        $"{names.Cluster} fails to archive WAL",
        $"The last WAL archiving attempt of {names.Cluster} failed after the last success (CNPG's sample rule LastFailedArchiveTime): replicas that fall back to the archive, and every restore, lose what is not archived. First: kubectl logs of the instance, then the ObjectStore's credentials.");

    private static AlertRule CertificateExpiring(ClusterNames names, string instances)
    {
        string Query(string column) => $"cnpg_{CertificateExpiries.QueryName}_{column}{{{instances}}}";
        return new(
            "CrossClusterCertificateExpiring",
            $"{Query("expiry_timestamp_seconds")} - time() < {Query("renew_before_seconds")}",
            "10m",
            "warning",
            $"A certificate of {names.Cluster} is inside its renewal window",
            $"A certificate {names.Cluster} uses has less time left than its renewal window (pki.renewBeforeDays), so the last `pulumi up` ran before the window opened or did not renew it. First: pulumi up, then verify (certificate-chains, tls-*).");
    }

    // CNPG's pooler exporter defines cnpg_pgbouncer_up but never describes nor collects it, so that series does not
    // exist; it sets cnpg_pgbouncer_last_collection_error to 1 when SHOW LISTS/POOLS/STATS fails on PgBouncer's admin
    // console (pgbouncer_collector.go Collect, lists.go collectShowLists, pools.go, stats.go). A pod whose exporter does
    // not answer at all leaves no such series: its scrape's up is 0.
    private static AlertRule PoolerDown(ClusterNames names)
    {
        var poolers = $"namespace=\"{names.Namespace}\",pod=~\"{names.Pooler}-.+\"";
        return new(
            "CrossClusterPoolerDown",
            $"cnpg_pgbouncer_last_collection_error{{{poolers}}} == 1 or up{{{poolers},job=\"{names.Namespace}/{names.Pooler}\"}} == 0",
            "1m",
            "critical",
            $"PgBouncer of {names.Pooler} does not answer",
            $"The exporter beside PgBouncer in {names.Pooler} cannot query it, or the pod's exporter does not answer: clients of this region, and of others that use its pooler, cannot connect. First: kubectl get pooler {names.Pooler}, then verify (tls-pooler).");
    }

    private static string Duration(int seconds) =>
        seconds % 60 == 0 ? $"{seconds / 60}m" : string.Create(CultureInfo.InvariantCulture, $"{seconds}s");
}

/// <summary>One Prometheus alerting rule.</summary>
/// <param name="Name">Alert name.</param>
/// <param name="Expression">PromQL; it fires for every series it returns.</param>
/// <param name="For">How long it must hold before it fires.</param>
/// <param name="Severity">The <c>severity</c> label: critical or warning.</param>
/// <param name="Summary">One line for the notification.</param>
/// <param name="Description">What it means and the first command to run.</param>
/// <param name="Labels">Labels beside <c>severity</c>, e.g. the replica Cluster an alert of the primary is about.</param>
public sealed record AlertRule(string Name, string Expression, string For, string Severity, string Summary, string Description, IReadOnlyDictionary<string, string>? Labels = null)
{
    /// <summary>Labels beside <c>severity</c>; none unless given.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = Labels ?? new Dictionary<string, string>(StringComparer.Ordinal);
}
