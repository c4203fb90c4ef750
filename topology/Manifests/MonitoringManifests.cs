using System.Globalization;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// A region's monitoring objects (see <see cref="MonitoringSettings"/>). Metric names are CNPG v1.30's: the default
/// queries' <c>pg_replication</c> and <c>pg_stat_archiver</c> (config/manager/default-monitoring.yaml; a metric is
/// <c>cnpg_</c> + query + <c>_</c> + column, pkg/management/postgres/metrics/collector.go) on the instances' port
/// <c>metrics</c> (9187), and the pooler exporter's <c>cnpg_pgbouncer_up</c> (pkg/management/pgbouncer/metricsserver) on
/// the pooler pods' port <c>metrics</c> (9127). The PodMonitors select pods as CNPG's deprecated enablePodMonitor did
/// (<c>cnpg.io/cluster</c> or <c>cnpg.io/poolerName</c>, with <c>cnpg.io/podRole</c>; docs/src/monitoring.md).
/// </summary>
public static class MonitoringManifests
{
    /// <summary>The ConfigMap of the certificate query, which the Cluster names in <c>spec.monitoring.customQueriesConfigMap</c>.</summary>
    public static string QueriesConfigMap(ClusterNames names) => $"{names.Cluster}-monitoring";

    /// <summary>The region's PodMonitors, PrometheusRule and query ConfigMap; none when monitoring is off.</summary>
    public static IReadOnlyList<Manifest> For(TopologyConfig topology, RegionConfig region, PkiPlan plan)
    {
        var monitoring = topology.Monitoring;
        if (!monitoring.Enabled)
        {
            return [];
        }

        var names = new ClusterNames(region.Name!, topology.Namespace.Name);
        var labels = monitoring.Labels;
        var certificates = plan.ForRegion(region.Name!);
        return
        [
            PodMonitor(names.Cluster, names, labels, new() { ["cnpg.io/cluster"] = names.Cluster, ["cnpg.io/podRole"] = "instance" }),
            PodMonitor(names.Pooler, names, labels, new() { ["cnpg.io/poolerName"] = names.Pooler, ["cnpg.io/podRole"] = "pooler" }),
            Objects.Create("monitoring.coreos.com/v1", "PrometheusRule", $"{names.Cluster}-alerts", names.Namespace, new()
            {
                ["spec"] = new Dictionary<string, object?>
                {
                    ["groups"] = new object?[]
                    {
                        new Dictionary<string, object?>
                        {
                            ["name"] = $"crosscluster-{names.Cluster}",
                            ["rules"] = Alerts(topology, region, names).Select(Rule).ToArray<object?>(),
                        },
                    },
                },
            }, labels),
            Objects.Create("v1", "ConfigMap", QueriesConfigMap(names), names.Namespace, new()
            {
                ["data"] = new Dictionary<string, object?>
                {
                    [CertificateExpiries.Key] = new CertificateExpiries(
                        [.. plan.TrustedRoots, certificates.ServerCa, certificates.ClientCa, certificates.Server, certificates.Replication, certificates.PoolerBackend, certificates.App]),
                },
            }, Objects.Reloaded()),
        ];
    }

    /// <summary>The alerts of one region, each over that region's pods only.</summary>
    public static IReadOnlyList<AlertRule> Alerts(TopologyConfig topology, RegionConfig region, ClusterNames names)
    {
        var instances = $"namespace=\"{names.Namespace}\",pod=~\"{names.Cluster}-[0-9]+\"";
        var poolers = $"namespace=\"{names.Namespace}\",pod=~\"{names.Pooler}-.+\"";
        var delay = ApplyDelay.WholeSeconds(region.Replication?.MinApplyDelay) ?? 0;
        var lag = delay + topology.Monitoring.ReplicationLagSeconds;
        string Query(string column) => $"cnpg_{CertificateExpiries.QueryName}_{column}{{{instances}}}";
        return
        [
            new(
                "CrossClusterReplicaNotStreaming",
                $"cnpg_pg_replication_in_recovery{{{instances}}} == 1 and cnpg_pg_replication_is_wal_receiver_up{{{instances}}} == 0",
                "1m",
                "critical",
                $"{names.Cluster} replays without a WAL receiver",
                $"An instance of {names.Cluster} is in recovery with no WAL receiver: it is cut from its source and replays only what reaches the archive. CNPG's Ready condition does not cover the link to another cluster (cloudnative-pg #817), so the Cluster may still say Ready. First: verify --kube."),
            new(
                "CrossClusterReplicationLagHigh",
                $"cnpg_pg_replication_lag{{{instances}}} > {lag.ToString(CultureInfo.InvariantCulture)}",
                "2m",
                "warning",
                $"{names.Cluster} replays more than {lag} s behind",
                delay > 0
                    ? $"An instance of {names.Cluster}, which holds back replay by {delay} s on purpose (minApplyDelay), is more than {topology.Monitoring.ReplicationLagSeconds} s behind beyond that delay. First: verify (write-visible, streams-over-mtls)."
                    : $"An instance of {names.Cluster} last replayed a commit more than {lag} s ago while WAL waits. First: verify (write-visible, streams-over-mtls)."),
            new(
                "CrossClusterArchiveFailing",
                $"cnpg_pg_stat_archiver_last_failed_time{{{instances}}} > cnpg_pg_stat_archiver_last_archived_time{{{instances}}}",
                "5m",
                "critical",
                $"{names.Cluster} fails to archive WAL",
                $"The last WAL archiving attempt of {names.Cluster} failed after the last success (CNPG's sample rule LastFailedArchiveTime): replicas that fall back to the archive, and every restore, lose what is not archived. First: kubectl logs of the instance, then the ObjectStore's credentials."),
            new(
                "CrossClusterCertificateExpiring",
                $"{Query("expiry_timestamp_seconds")} - time() < {Query("renew_before_seconds")}",
                "10m",
                "warning",
                $"A certificate of {names.Cluster} is inside its renewal window",
                $"A certificate {names.Cluster} uses has less time left than its renewal window (pki.renewBeforeDays), so the last `pulumi up` ran before the window opened or did not renew it. First: pulumi up, then verify (certificate-chains, tls-*)."),
            new(
                "CrossClusterPoolerDown",
                $"cnpg_pgbouncer_up{{{poolers}}} == 0",
                "1m",
                "critical",
                $"PgBouncer of {names.Pooler} does not answer",
                $"The exporter beside PgBouncer in {names.Pooler} cannot reach it: clients of this region, and of others that use its pooler, cannot connect. First: kubectl get pooler {names.Pooler}, then verify (tls-pooler)."),
        ];
    }

    private static Manifest PodMonitor(string name, ClusterNames names, IReadOnlyDictionary<string, string> labels, Dictionary<string, object?> selector) =>
        Objects.Create("monitoring.coreos.com/v1", "PodMonitor", name, names.Namespace, new()
        {
            ["spec"] = new Dictionary<string, object?>
            {
                ["selector"] = new Dictionary<string, object?> { ["matchLabels"] = selector },
                ["podMetricsEndpoints"] = new object?[] { new Dictionary<string, object?> { ["port"] = "metrics" } },
            },
        }, labels);

    private static Dictionary<string, object?> Rule(AlertRule alert) => new()
    {
        ["alert"] = alert.Name,
        ["expr"] = alert.Expression,
        ["for"] = alert.For,
        ["labels"] = new Dictionary<string, object?> { ["severity"] = alert.Severity },
        ["annotations"] = new Dictionary<string, object?> { ["summary"] = alert.Summary, ["description"] = alert.Description },
    };
}

/// <summary>One Prometheus alerting rule.</summary>
/// <param name="Name">Alert name.</param>
/// <param name="Expression">PromQL; it fires for every series it returns.</param>
/// <param name="For">How long it must hold before it fires.</param>
/// <param name="Severity">The <c>severity</c> label: critical or warning.</param>
/// <param name="Summary">One line for the notification.</param>
/// <param name="Description">What it means and the first command to run.</param>
public sealed record AlertRule(string Name, string Expression, string For, string Severity, string Summary, string Description);
