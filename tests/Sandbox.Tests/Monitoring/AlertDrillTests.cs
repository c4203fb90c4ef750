using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Tests.Sandbox.Monitoring;

/// <summary>
/// Issue 22: the rendered rules, evaluated by a real Prometheus per region on the series the sandbox's CNPG exporters
/// read from the real servers: each fault raises its alert, in the region that can still see it, and healthy states
/// raise none.
/// </summary>
public sealed class AlertDrillTests
{
    // One sandbox for the exporters' pages and every drill, each fault leaving the others' alerts to their own regions
    // (CI's time is short): a region gone dark takes its Prometheus with it, so only the other side can see it.
    [Fact]
    public async Task TheExportersEmitCnpgsSeriesAndEachFaultRaisesItsAlertWhereItCanBeSeen()
    {
        // A lag threshold of 3 s, so that a paused replay shows within the drill's seconds; healthy streaming replays
        // within milliseconds of the receipt, and CNPG's lag reads 0 once it has.
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions
        {
            Directory = TemporaryDirectory.NewPath(),
            Regions = ["eu", "us", "ap"],
            Monitoring = AlertDrills.Quick,
            Alerting = new MonitoringSettings { ReplicationLagSeconds = 3 },
        });
        using var http = new HttpClient();
        Task<string> PageAsync(int port) => http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics"));
        var (eu, us) = (sandbox.State.Monitoring!.Region("eu"), sandbox.State.Monitoring!.Region("us"));

        // pg_stat_replication is primary: true, so only the primary exports it, a walsender per replica Cluster by name;
        // pg_stat_archiver's predicate holds on a replica cluster's designated primary too (archive_mode always).
        var primaryPage = await PageAsync(eu.InstanceExporterPort);
        var replica = await PageAsync(us.InstanceExporterPort);
        Assert.Contains("cnpg_pg_stat_replication_backend_start{usename=\"streaming_replica\",application_name=\"pg-us\"", primaryPage, StringComparison.Ordinal);
        Assert.Contains("cnpg_pg_replication_in_recovery 0", primaryPage, StringComparison.Ordinal);
        Assert.DoesNotContain("cnpg_pg_stat_replication_", replica, StringComparison.Ordinal);
        Assert.Contains("cnpg_pg_stat_archiver_last_archived_time ", replica, StringComparison.Ordinal);
        Assert.Contains("cnpg_crosscluster_certificates_expiry_timestamp_seconds{certificate=\"us-server\",tier=\"leaf\"}", replica, StringComparison.Ordinal);
        // The instance manager's own series (pg_collector.go): us is a replica cluster, eu is not; the archive_status
        // files are counted; the version is major.minor of PostgreSQL's.
        Assert.Contains("cnpg_collector_replica_mode 1", replica, StringComparison.Ordinal);
        Assert.Contains("cnpg_collector_replica_mode 0", primaryPage, StringComparison.Ordinal);
        Assert.Contains("cnpg_collector_pg_wal_archive_status{value=\"done\"}", primaryPage, StringComparison.Ordinal);
        Assert.Contains("cnpg_collector_postgres_version{full=\"15.", replica, StringComparison.Ordinal);
        Assert.Contains("cnpg_collector_collection_duration_seconds{collector=\"Collect.cnpg\"}", replica, StringComparison.Ordinal);
        Assert.Contains("cnpg_collector_up{cluster=\"pg-us\"} 1", replica, StringComparison.Ordinal);
        var pooler = await PageAsync(us.PoolerExporterPort);
        Assert.Contains("cnpg_pgbouncer_last_collection_error 0", pooler, StringComparison.Ordinal);
        Assert.Contains("cnpg_pgbouncer_pools_cl_active{", pooler, StringComparison.Ordinal);
        Assert.DoesNotContain("cnpg_pgbouncer_up", pooler, StringComparison.Ordinal);

        await AlertDrills.NoneFiresAsync(sandbox);

        // A leaf re-issued with less validity than its renewal window, as one left unrenewed would be near its end: the
        // certificate query of the rendered ConfigMap, which the exporter runs with the dates of the certificates issued,
        // tells it.
        await sandbox.IssueShortLivedAsync("us-server", TimeSpan.FromHours(12));
        await AlertDrills.FiringAsync(sandbox, "us", "CrossClusterCertificateExpiring");

        // Replay paused on us while the primary commits: WAL still arrives, so receive ≠ replay and CNPG's lag reads
        // the age of the last commit us replayed.
        using (var connections = new Connections(sandbox))
        {
            await using var onEu = await connections.OpenAsAdministratorAsync("eu", "postgres");
            await using var onUs = await connections.OpenAsAdministratorAsync("us", "postgres");
            await AlertDrills.ExecuteAsync(onEu, "CREATE TABLE replay_probe (at timestamptz)");
            await AlertDrills.ReplayedAsync(onUs, "SELECT to_regclass('replay_probe') IS NOT NULL");
            await AlertDrills.ExecuteAsync(onUs, "SELECT pg_wal_replay_pause()");
            await AlertDrills.ExecuteAsync(onEu, "INSERT INTO replay_probe VALUES (now())");
            await AlertDrills.FiringAsync(sandbox, "us", "CrossClusterReplicationLagHigh");
            await AlertDrills.ExecuteAsync(onUs, "SELECT pg_wal_replay_resume()");
        }

        await sandbox.StopPoolerAsync("us");
        await AlertDrills.FiringAsync(sandbox, "us", "CrossClusterPoolerDown");

        // The primary's object store gone (a lost bucket, revoked credentials): the next segment fails to archive.
        var store = Path.Combine(sandbox.Directory, "object-store", "minio-eu");
        Directory.Move(store, store + ".gone");
        using (var connections = new Connections(sandbox))
        {
            await using var administrator = await connections.OpenAsAdministratorAsync("eu", "postgres");
            await using var switchWal = new Npgsql.NpgsqlCommand("CREATE TABLE archive_probe (at timestamptz); INSERT INTO archive_probe VALUES (now()); SELECT pg_switch_wal()", administrator);
            await switchWal.ExecuteNonQueryAsync();
        }

        await AlertDrills.FiringAsync(sandbox, "eu", "CrossClusterArchiveFailing");

        await DarkAsync(sandbox, "ap");
        await AlertDrills.FiringAsync(sandbox, "eu", "CrossClusterReplicaRegionMissing", ("replica_cluster", "pg-ap"));

        await DarkAsync(sandbox, "eu");
        await AlertDrills.FiringAsync(sandbox, "us", "CrossClusterReplicaNotStreaming");
    }

    // Issue 22: in replication.mode archive the replica has no WAL receiver and its lag reads the time since the last
    // replayed commit; with rules that fired on that, a quiet healthy replica raised alerts. Under a primary that
    // commits every second, the replica whose restore_command starts failing raises CrossClusterArchiveReplayStalled.
    [Fact]
    public async Task AnArchiveModeSandboxRaisesNoAlertUntilTheReplicasRestoreFails()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions
        {
            Directory = TemporaryDirectory.NewPath(),
            Regions = ["eu", "us"],
            Replication = new ReplicationSettings { Mode = ReplicationMode.Archive, ArchiveTimeout = "2s" },
            Monitoring = AlertDrills.Quick,
            Alerting = new MonitoringSettings { ArchiveReplicaLagSeconds = ArchiveReplicaLag },
        });
        await using var writer = await ContinuousWriter.StartAsync(sandbox, TimeSpan.FromSeconds(1));

        // Until the replica restores the writer's first segment, its lag is the age of the setup's last commit.
        await AlertDrills.HoldsAsync(sandbox, "us", $"cnpg_pg_replication_lag < {ArchiveReplicaLag}");
        await AlertDrills.ClearedAsync(sandbox);
        await AlertDrills.NoneFiresAsync(sandbox);

        // restore_command takes effect on a reload since PostgreSQL 14 (PostgreSQL 15 docs 20.5.4 Archive Recovery: "can
        // only be set in the postgresql.conf file or on the server command line"), and postgresql.auto.conf is read after
        // postgresql.conf (src/backend/utils/misc/guc-file.l ProcessConfigFileInternal), so ALTER SYSTEM makes CNPG's
        // wal-restore fail as a revoked credential for the source's store would.
        using (var connections = new Connections(sandbox))
        {
            await using var replica = await connections.OpenAsAdministratorAsync("us", "postgres");
            await AlertDrills.ExecuteAsync(replica, "ALTER SYSTEM SET restore_command = 'false'");
            await AlertDrills.ExecuteAsync(replica, "SELECT pg_reload_conf()");
        }

        await AlertDrills.FiringAsync(sandbox, "us", "CrossClusterArchiveReplayStalled", limit: TimeSpan.FromSeconds(60));
    }

    // Above a healthy archive-only replica's lag here: a commit's second, the 2 s archive timeout and PostgreSQL's 5 s
    // between restore attempts (wal_retrieve_retry_interval).
    private const int ArchiveReplicaLag = 15;

    private static async Task DarkAsync(RunningSandbox sandbox, string region)
    {
        await sandbox.StopPrometheusAsync(region);
        await sandbox.StopPoolerAsync(region);
        await sandbox.StopInstanceAsync(region);
    }
}
