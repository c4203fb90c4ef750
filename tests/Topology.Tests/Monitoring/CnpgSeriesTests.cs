using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Cnpg.Monitoring;

namespace CrossClusterIac.Tests.Topology.Monitoring;

/// <summary>Issue 22: query results and PgBouncer's SHOW output become the series CNPG v1.30.0's exporters emit.</summary>
public sealed class CnpgSeriesTests
{
    private static string DefaultMonitoring => File.ReadAllText(Path.Combine(RepositoryFiles.Root, "sandbox", "Monitoring", "default-monitoring.yaml"));

    [Fact]
    public void TheEmbeddedDefaultQueriesAreCnpgsUnchanged()
    {
        var shared = Path.Combine(RepositoryFiles.Root, "..", "shared", "cnpg", "v1.30.0", "default-monitoring.yaml");
        if (File.Exists(shared))
        {
            Assert.Equal(File.ReadAllText(shared), DefaultMonitoring);
        }

        var queries = MonitoringQuery.FromConfigMap(DefaultMonitoring, "queries");
        var replication = queries.Single(q => q.Name == "pg_stat_replication");
        Assert.True(replication.PrimaryOnly);
        Assert.NotNull(queries.Single(q => q.Name == "pg_stat_archiver").PredicateSql);
        // pg_stat_bgwriter_17 is exported under its name override, on PostgreSQL 17 and later only.
        Assert.Equal(2, queries.Count(q => q.Name == "pg_stat_bgwriter"));
        Assert.Single(queries, q => q.Name == "pg_stat_bgwriter" && q.RunsOn(15));
    }

    [Fact]
    public void LabelColumnsBecomeLabelsAndEveryValueColumnASeries()
    {
        var query = MonitoringQuery.FromConfigMap(DefaultMonitoring, "queries").Single(q => q.Name == "pg_replication_slots");

        var samples = QuerySeries.From(query, ["slot_name", "slot_type", "database", "active", "pg_wal_lsn_diff"], [["s1", "physical", null, true, 1024m]]);

        Assert.Equal(["cnpg_pg_replication_slots_active", "cnpg_pg_replication_slots_pg_wal_lsn_diff"], samples.Select(s => s.Name));
        Assert.Equal([new("slot_name", "s1"), new("slot_type", "physical"), new("database", "")], samples[0].Labels);
        Assert.Equal(1, samples[0].Value);
        Assert.Equal(1024, samples[1].Value);
    }

    [Fact]
    public void ANullValueIsNaNAndAResultOfOtherColumnsExportsNothing()
    {
        var query = MonitoringQuery.FromConfigMap(DefaultMonitoring, "queries").Single(q => q.Name == "pg_replication");

        var nulls = QuerySeries.From(query, ["lag", "in_recovery", "is_wal_receiver_up", "streaming_replicas"], [[null, false, false, 0L]]);
        var mismatched = QuerySeries.From(query, ["lag", "in_recovery"], [[1m, true]]);

        Assert.True(double.IsNaN(nulls.Single(s => s.Name == "cnpg_pg_replication_lag").Value));
        Assert.Equal(0, nulls.Single(s => s.Name == "cnpg_pg_replication_in_recovery").Value);
        Assert.Empty(mismatched);
    }

    [Fact]
    public void AnUsageNotModelledIsRefused()
    {
        var error = Assert.Throws<CnpgRealisationException>(() => MonitoringQuery.Parse("q:\n  query: SELECT 1 AS x\n  metrics:\n    - x:\n        usage: HISTOGRAM\n"));

        Assert.Contains("HISTOGRAM", error.Message, StringComparison.Ordinal);
    }

    // pgbouncer_collector.go defines cnpg_pgbouncer_up but never collects it; the rule that read it could never fire.
    [Fact]
    public void ThePoolerExporterEmitsNoUpSeriesAndAnErrorWhenPgBouncerDoesNotAnswer()
    {
        var down = PgBouncerSeries.From(AdminResult.Failure, AdminResult.Failure, AdminResult.Failure, 3, 0.01);

        Assert.DoesNotContain(down, s => s.Name == "cnpg_pgbouncer_up");
        Assert.Equal(1, down.Single(s => s.Name == "cnpg_pgbouncer_last_collection_error").Value);
        Assert.DoesNotContain(down, s => s.Name.StartsWith("cnpg_pgbouncer_lists_", StringComparison.Ordinal) || s.Name.StartsWith("cnpg_pgbouncer_pools_", StringComparison.Ordinal));
    }

    [Fact]
    public void PgBouncerShowOutputBecomesCnpgsSeries()
    {
        var lists = new AdminResult(["list", "items"], [["databases", "2"], ["peers", "0"]]);
        string[] poolColumns = ["database", "user", "cl_active", "cl_waiting", "cl_active_cancel_req", "cl_waiting_cancel_req", "sv_active", "sv_active_cancel", "sv_being_canceled", "sv_idle", "sv_used", "sv_tested", "sv_login", "maxwait", "maxwait_us", "pool_mode"];
        var pools = new AdminResult(poolColumns, [["app", "app", "3", "0", "0", "0", "1", "0", "7", "2", "0", "0", "0", "0", "0", "transaction"]]);
        var stats = new AdminResult(["database", "total_xact_count", "total_query_count", "total_received", "total_sent", "total_xact_time", "total_query_time", "total_wait_time", "avg_xact_count", "avg_query_count", "avg_recv", "avg_sent", "avg_xact_time", "avg_query_time", "avg_wait_time"], [["app", "10", "11", "0", "0", "0", "0", "0", "1", "1", "0", "0", "0", "0", "0"]]);

        var samples = PgBouncerSeries.From(lists, pools, stats, 1, 0.01);

        Assert.Equal(2, samples.Single(s => s.Name == "cnpg_pgbouncer_lists_databases").Value);
        Assert.Equal(-1, samples.Single(s => s.Name == "cnpg_pgbouncer_lists_users").Value);
        Assert.Equal(7, samples.Single(s => s.Name == "cnpg_pgbouncer_pools_sv_wait_cancels").Value);
        Assert.Equal(2, samples.Single(s => s.Name == "cnpg_pgbouncer_pools_pool_mode").Value);
        Assert.Equal([new("database", "app"), new("user", "app")], samples.Single(s => s.Name == "cnpg_pgbouncer_pools_cl_active").Labels);
        // 15 columns (PgBouncer 1.18) is not 16, so CNPG sets the 1.24 parse and bind counts, to 0.
        Assert.Equal(0, samples.Single(s => s.Name == "cnpg_pgbouncer_stats_total_bind_count").Value);
        Assert.DoesNotContain(samples, s => s.Name == "cnpg_pgbouncer_stats_total_server_assignment_count");
        Assert.Equal(0, samples.Single(s => s.Name == "cnpg_pgbouncer_last_collection_error").Value);
    }
}
