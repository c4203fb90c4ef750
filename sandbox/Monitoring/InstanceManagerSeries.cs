using System.Globalization;
using CrossClusterIac.Topology.Cnpg.Monitoring;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// The instance manager's own <c>cnpg_collector_*</c> series that the sandbox can know, as CNPG v1.30.0's exporter
/// makes them (pkg/management/postgres/webserver/metricserver/pg_collector.go newMetrics, updateInstanceMetrics,
/// collectInstanceMetrics). Its Gauges are always collected; its GaugeVecs keep their last values while PostgreSQL does
/// not answer (updateInstanceMetrics returns after the failed ping without resetting them), so the last ones are kept here.
/// Not made: the WAL directory's sizes (<c>cnpg_collector_pg_wal</c>), <c>pg_stat_wal</c>'s, the synchronous replica
/// counts and the Cluster status' backup times and node count, which the sandbox has no Cluster status or volume for.
/// </summary>
internal sealed class InstanceManagerSeries
{
    private const string Namespace = "cnpg_collector_";

    private double _collections;
    private (int Ready, int Done)? _archiveStatus;
    private Version? _version;

    /// <summary>The series after one collection.</summary>
    /// <param name="cluster">The Cluster's name (the <c>cluster</c> label).</param>
    /// <param name="replicaCluster">Whether the Cluster is a replica cluster (instance_controller.go reconcileMetrics: <c>cluster.IsReplica()</c>).</param>
    /// <param name="up">Whether PostgreSQL answered.</param>
    /// <param name="pgWal">The instance's <c>pg_wal</c>, whose <c>archive_status</c> is counted when it answered.</param>
    /// <param name="version">The server's version when it answered.</param>
    /// <param name="upSeconds">How long the ping took.</param>
    /// <param name="queriesSeconds">How long the queries took (<c>Collect.cnpg</c>, the queries collector's name, instance_controller.go).</param>
    public IReadOnlyList<MetricSample> Collect(string cluster, bool replicaCluster, bool up, string pgWal, Version? version, double upSeconds, double queriesSeconds)
    {
        _collections++;
        if (up)
        {
            _archiveStatus = ArchiveStatus(pgWal) ?? _archiveStatus;
            _version = version ?? _version;
        }

        var samples = new List<MetricSample>
        {
            new(Namespace + "collections_total", ColumnUsage.Counter, "Total number of times PostgreSQL was accessed for metrics.", [], _collections),
            MetricSample.Gauge(Namespace + "last_collection_error", "1 if the last collection ended with error, 0 otherwise.", up ? 0 : 1),
            MetricSample.Gauge(Namespace + "up", "1 if PostgreSQL is up, 0 otherwise.", up ? 1 : 0, Label("cluster", cluster)),
            MetricSample.Gauge(Namespace + "collection_duration_seconds", "Collection time duration in seconds", upSeconds, Label("collector", "Collect.up")),
            MetricSample.Gauge(Namespace + "collection_duration_seconds", "Collection time duration in seconds", queriesSeconds, Label("collector", "Collect.cnpg")),
            MetricSample.Gauge(Namespace + "manual_switchover_required", "1 if a manual switchover is required, 0 otherwise", 0),
            MetricSample.Gauge(Namespace + "replica_mode", "1 if the cluster is in replica mode, 0 otherwise", replicaCluster ? 1 : 0),
            MetricSample.Gauge(Namespace + "fencing_on", "1 if the instance is fenced, 0 otherwise", 0),
        };
        if (_archiveStatus is var (ready, done))
        {
            const string Help = "Number of WAL segments in the '/var/lib/postgresql/data/pgdata/pg_wal/archive_status' directory (ready, done)";
            samples.Add(MetricSample.Gauge(Namespace + "pg_wal_archive_status", Help, ready, Label("value", "ready")));
            samples.Add(MetricSample.Gauge(Namespace + "pg_wal_archive_status", Help, done, Label("value", "done")));
        }

        // collectPGVersion: major.patch of the semantic version CNPG makes of server_version_num (150014 → 15.0.14,
        // pkg/management/postgres/utils/version.go parseVersionNum), so 15.14, as PostgreSQL's own two-part version reads.
        if (_version is { } known)
        {
            var majorMinor = string.Create(CultureInfo.InvariantCulture, $"{known.Major}.{known.Minor}");
            samples.Add(MetricSample.Gauge(Namespace + "postgres_version", "Postgres version", double.Parse(majorMinor, CultureInfo.InvariantCulture), Label("full", majorMinor), Label("cluster", cluster)));
        }

        return samples;
    }

    // probes.go GetWALArchiveCounters: the .ready and .done files of pg_wal/archive_status.
    private static (int Ready, int Done)? ArchiveStatus(string pgWal)
    {
        var directory = Path.Combine(pgWal, "archive_status");
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var files = Directory.GetFiles(directory).Select(Path.GetFileName).ToList();
        return (files.Count(f => f!.EndsWith(".ready", StringComparison.Ordinal)), files.Count(f => f!.EndsWith(".done", StringComparison.Ordinal)));
    }

    private static KeyValuePair<string, string> Label(string name, string value) => new(name, value);
}
