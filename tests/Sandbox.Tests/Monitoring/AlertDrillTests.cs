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
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions { Directory = TemporaryDirectory.NewPath(), Regions = ["eu", "us", "ap"], Monitoring = AlertDrills.Quick });
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
        var pooler = await PageAsync(us.PoolerExporterPort);
        Assert.Contains("cnpg_pgbouncer_last_collection_error 0", pooler, StringComparison.Ordinal);
        Assert.Contains("cnpg_pgbouncer_pools_cl_active{", pooler, StringComparison.Ordinal);
        Assert.DoesNotContain("cnpg_pgbouncer_up", pooler, StringComparison.Ordinal);

        await AlertDrills.NoneAsync(sandbox, evaluations: 3);

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
    // replayed commit; with rules that fired on that, a quiet healthy replica raised alerts.
    [Fact]
    public async Task AnArchiveModeSandboxRaisesNoAlert()
    {
        await using var sandbox = await LocalSandbox.UpAsync(new SandboxOptions
        {
            Directory = TemporaryDirectory.NewPath(),
            Regions = ["eu", "us"],
            Replication = new ReplicationSettings { Mode = ReplicationMode.Archive, ArchiveTimeout = "2s" },
            Monitoring = AlertDrills.Quick,
        });

        await AlertDrills.NoneAsync(sandbox, evaluations: 4);
    }

    private static async Task DarkAsync(RunningSandbox sandbox, string region)
    {
        await sandbox.StopPrometheusAsync(region);
        await sandbox.StopPoolerAsync(region);
        await sandbox.StopInstanceAsync(region);
    }
}
