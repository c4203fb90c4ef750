using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Sandbox.Monitoring;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Verify.Connections;
using Npgsql;

/// <summary>
/// The rendered rules on the sandbox's real Prometheus, with the sandbox's default timing (5 s scrapes and evaluations)
/// and the rules' own <c>for</c>: the time from each fault to its alert pending in the region that can see it, and the
/// alerts held, pending or firing, during a healthy run in each replication mode.
/// </summary>
internal static class Alerts
{
    // Lag thresholds low enough for a drill to cross within seconds; the rules' own for and Prometheus' timing are kept.
    private const int ReplicationLag = 10;
    private const int ArchiveReplicaLag = 20;

    /// <summary>Each fault <paramref name="runs"/> times, on one three-region sandbox; the darkness drills end each run's sandbox.</summary>
    public static async Task FaultsAsync(int runs, Func<int, SandboxOptions> options)
    {
        var times = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        void Add(string fault, TimeSpan elapsed) => (times.TryGetValue(fault, out var list) ? list : times[fault] = []).Add(elapsed.TotalSeconds);
        for (var i = 0; i < runs; i++)
        {
            // A lag threshold of 10 s, so that a paused replay is seen within seconds rather than CNPG's 5 minutes.
            await using var sandbox = await LocalSandbox.UpAsync(options(3) with { Monitoring = MonitoringTiming.Default, Alerting = new MonitoringSettings { ReplicationLagSeconds = ReplicationLag } });
            await QuietAsync(sandbox);

            var clock = Stopwatch.StartNew();
            await sandbox.IssueShortLivedAsync("us-server", TimeSpan.FromHours(12));
            Add("us-server inside its renewal window → CrossClusterCertificateExpiring (us)", await PendingAsync(sandbox, "us", "CrossClusterCertificateExpiring", clock));
            await sandbox.RotateAsync(CertificateTier.Leaf);
            await QuietAsync(sandbox);

            // A commit us has replayed first: CNPG's lag is the age of the last one, absent while there is none.
            await using (var primary = await AdministratorAsync(sandbox, "eu"))
            await using (var paused = await AdministratorAsync(sandbox, "us"))
            {
                await ExecuteAsync(primary, "CREATE TABLE IF NOT EXISTS replay_probe (at timestamptz)");
                await using (var replayed = new NpgsqlCommand("SELECT to_regclass('replay_probe') IS NOT NULL", paused))
                {
                    while (await replayed.ExecuteScalarAsync() is not true)
                    {
                        await Task.Delay(100);
                    }
                }

                clock.Restart();
                await ExecuteAsync(paused, "SELECT pg_wal_replay_pause()");
                await ExecuteAsync(primary, "INSERT INTO replay_probe VALUES (now())");
                Add($"replay paused on us, a commit on eu → CrossClusterReplicationLagHigh (us; threshold {ReplicationLag} s)", await PendingAsync(sandbox, "us", "CrossClusterReplicationLagHigh", clock));
                await ExecuteAsync(paused, "SELECT pg_wal_replay_resume()");
            }

            await QuietAsync(sandbox);

            clock.Restart();
            await sandbox.StopPoolerAsync("us");
            Add("PgBouncer stopped → CrossClusterPoolerDown (us)", await PendingAsync(sandbox, "us", "CrossClusterPoolerDown", clock));
            await sandbox.StartPoolerAsync("us");
            await QuietAsync(sandbox);

            clock.Restart();
            sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
            var notStreaming = PendingAsync(sandbox, "us", "CrossClusterReplicaNotStreaming", clock);
            var missing = PendingAsync(sandbox, "eu", "CrossClusterReplicaRegionMissing", clock, ("replica_cluster", "pg-us"));
            Add("eu–us link cut → CrossClusterReplicaNotStreaming (us)", await notStreaming);
            Add("eu–us link cut → CrossClusterReplicaRegionMissing (eu)", await missing);
            sandbox.ChangeLink("eu", "us", link => link.Healed());
            await QuietAsync(sandbox);

            // A store the primary cannot write to fails its archiving, as a lost bucket or revoked credentials would.
            var store = Path.Combine(sandbox.Directory, "object-store", "minio-eu");
            Directory.Move(store, store + ".gone");
            clock.Restart();
            await SwitchWalAsync(sandbox, "eu");
            Add("eu's object store gone → CrossClusterArchiveFailing (eu)", await PendingAsync(sandbox, "eu", "CrossClusterArchiveFailing", clock));
            Directory.Move(store + ".gone", store);
            await SwitchWalAsync(sandbox, "eu");
            await QuietAsync(sandbox);

            clock.Restart();
            await DarkAsync(sandbox, "ap");
            Add("region ap dark → CrossClusterReplicaRegionMissing (eu)", await PendingAsync(sandbox, "eu", "CrossClusterReplicaRegionMissing", clock, ("replica_cluster", "pg-ap")));

            clock.Restart();
            await DarkAsync(sandbox, "eu");
            Add("region eu (primary) dark → CrossClusterReplicaNotStreaming (us)", await PendingAsync(sandbox, "us", "CrossClusterReplicaNotStreaming", clock));

            Add($"archive mode, a commit a second, us's restore_command failing → CrossClusterArchiveReplayStalled (us; threshold {ArchiveReplicaLag} s)", await RestoreFailingAsync(options(2)));
        }

        foreach (var (fault, seconds) in times)
        {
            Console.WriteLine($"alerts    {fault}: to pending median {Statistics.Median(seconds):0.0} s (min {seconds.Min():0.0}, max {seconds.Max():0.0}), 5 s scrapes and evaluations");
        }
    }

    /// <summary>
    /// A healthy run of <paramref name="duration"/> in each mode, a row committed every 20 s (sparse commits) and, in
    /// streaming mode, region us a delayed replica (5 s): every alert any region's Prometheus holds meanwhile, looked at each second.
    /// </summary>
    public static async Task HealthyAsync(TimeSpan duration, Func<int, SandboxOptions> options)
    {
        var modes = new (string Name, SandboxOptions Options)[]
        {
            ("streaming, us delayed 5 s", options(2) with { MinApplyDelays = new Dictionary<string, string> { ["us"] = "5s" } }),
            ("archive, archive timeout 10 s, archiveReplicaLagSeconds 60", options(2) with { Replication = new ReplicationSettings { Mode = ReplicationMode.Archive, ArchiveTimeout = "10s" }, Alerting = new MonitoringSettings { ArchiveReplicaLagSeconds = 60 } }),
        };
        foreach (var (name, mode) in modes)
        {
            await using var sandbox = await LocalSandbox.UpAsync(mode with { Monitoring = MonitoringTiming.Default });
            await using var writer = await ContinuousWriter.StartAsync(sandbox, TimeSpan.FromSeconds(20));
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var looks = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < duration)
            {
                foreach (var region in sandbox.State.Regions)
                {
                    foreach (var alert in await sandbox.AlertsAsync(region.Name) ?? [])
                    {
                        seen.Add($"{region.Name} {alert.Name} {alert.State} {string.Join(",", alert.Labels.Select(l => $"{l.Key}={l.Value}"))}");
                    }
                }

                looks++;
                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            Console.WriteLine($"alerts    healthy {duration.TotalMinutes:0.#} min, {name}, a commit every 20 s: {seen.Count} distinct alerts held ({looks} looks){(seen.Count == 0 ? string.Empty : ": " + string.Join("; ", seen))}");
        }
    }

    /// <summary>
    /// Switchovers back and forth, <paramref name="runs"/> of them, with the rules' own <c>for</c>: an alert may go pending
    /// while the old primary restarts as a standby, but none may fire. Reports how long the longest stayed pending, the
    /// margin to the shortest <c>for</c> (1 m).
    /// </summary>
    public static async Task SwitchoverWindowAsync(int runs, Func<int, SandboxOptions> options)
    {
        await using var sandbox = await LocalSandbox.UpAsync(options(2) with { Monitoring = MonitoringTiming.Default });
        await QuietAsync(sandbox);
        var held = new HashSet<string>(StringComparer.Ordinal);
        var firing = new HashSet<string>(StringComparer.Ordinal);
        var episodes = new List<double>();
        var windows = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            var watch = WatchAsync(sandbox, TimeSpan.FromSeconds(75), held, firing, episodes);
            await sandbox.SwitchoverAsync(sandbox.State.Regions.First(r => r.Name != sandbox.State.PrimaryRegion).Name);
            windows.Add(clock.Elapsed.TotalSeconds);
            await watch;
        }

        Console.WriteLine($"alerts    {runs} switchovers (median {Statistics.Median(windows):0.0} s each), 75 s watched after each: firing {firing.Count}{(firing.Count == 0 ? string.Empty : " (" + string.Join("; ", firing) + ")")}; held pending {episodes.Count} times ({string.Join("; ", held)}), the longest {episodes.DefaultIfEmpty(0).Max():0.0} s of its 60 s `for`");
    }

    // Every alert held, at each look, until the time is up: each stretch an alert is held without a break is one episode.
    private static async Task WatchAsync(RunningSandbox sandbox, TimeSpan span, HashSet<string> held, HashSet<string> firing, List<double> episodes)
    {
        var clock = Stopwatch.StartNew();
        var open = new Dictionary<string, (TimeSpan Start, TimeSpan Last)>(StringComparer.Ordinal);
        while (clock.Elapsed < span)
        {
            var now = new HashSet<string>(StringComparer.Ordinal);
            foreach (var region in sandbox.State.Regions)
            {
                foreach (var alert in await sandbox.AlertsAsync(region.Name) ?? [])
                {
                    var key = $"{region.Name} {alert.Name} {alert.Labels.GetValueOrDefault("pod")}{alert.Labels.GetValueOrDefault("replica_cluster")}";
                    now.Add(key);
                    held.Add(key);
                    if (alert.State == "firing")
                    {
                        firing.Add(key);
                    }
                }
            }

            foreach (var key in now)
            {
                open[key] = open.TryGetValue(key, out var episode) ? (episode.Start, clock.Elapsed) : (clock.Elapsed, clock.Elapsed);
            }

            foreach (var ended in open.Keys.Except(now).ToList())
            {
                episodes.Add((open[ended].Last - open[ended].Start).TotalSeconds);
                open.Remove(ended);
            }

            await Task.Delay(250);
        }

        episodes.AddRange(open.Values.Select(e => (e.Last - e.Start).TotalSeconds));
    }

    // An archive-only replica under a primary that commits each second, its restore_command made to fail (ALTER SYSTEM
    // and a reload, as a revoked credential would): the time from the reload to the alert pending.
    private static async Task<TimeSpan> RestoreFailingAsync(SandboxOptions options)
    {
        await using var sandbox = await LocalSandbox.UpAsync(options with
        {
            Monitoring = MonitoringTiming.Default,
            Replication = new ReplicationSettings { Mode = ReplicationMode.Archive, ArchiveTimeout = "2s" },
            Alerting = new MonitoringSettings { ArchiveReplicaLagSeconds = ArchiveReplicaLag },
        });
        await using var writer = await ContinuousWriter.StartAsync(sandbox, TimeSpan.FromSeconds(1));
        await QuietAsync(sandbox);
        await using var replica = await AdministratorAsync(sandbox, "us");
        await ExecuteAsync(replica, "ALTER SYSTEM SET restore_command = 'false'");
        var clock = Stopwatch.StartNew();
        await ExecuteAsync(replica, "SELECT pg_reload_conf()");
        return await PendingAsync(sandbox, "us", "CrossClusterArchiveReplayStalled", clock);
    }

    private static async Task<TimeSpan> PendingAsync(RunningSandbox sandbox, string region, string alert, Stopwatch clock, (string Name, string Value)? label = null)
    {
        while (true)
        {
            var alerts = await sandbox.AlertsAsync(region) ?? [];
            if (alerts.Any(a => a.Name == alert && (label is not { } l || a.Labels.GetValueOrDefault(l.Name) == l.Value)))
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new InvalidOperationException($"{alert} not pending in {region} after 3 min");
            }

            await Task.Delay(100);
        }
    }

    // Until no region holds an alert, so that the next fault starts from a healthy sandbox.
    private static async Task QuietAsync(RunningSandbox sandbox)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var held = 0;
            foreach (var region in sandbox.State.Regions)
            {
                held += (await sandbox.AlertsAsync(region.Name) ?? []).Count;
            }

            // Twice the evaluation interval: a healthy sandbox whose Prometheus has judged it at least once.
            if (held == 0 && clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                return;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(3))
            {
                throw new InvalidOperationException("alerts still held 3 min after the fault was undone");
            }

            await Task.Delay(250);
        }
    }

    private static async Task DarkAsync(RunningSandbox sandbox, string region)
    {
        await sandbox.StopPrometheusAsync(region);
        await sandbox.StopPoolerAsync(region);
        await sandbox.StopInstanceAsync(region);
    }

    // A write and a WAL switch, so that a segment is handed to the archiver at once.
    private static async Task SwitchWalAsync(RunningSandbox sandbox, string region)
    {
        await using var connection = await AdministratorAsync(sandbox, region);
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS archive_probe (at timestamptz); INSERT INTO archive_probe VALUES (now()); SELECT pg_switch_wal()");
    }

    // The administrator's connection to the region's instance.
    private static async Task<NpgsqlConnection> AdministratorAsync(RunningSandbox sandbox, string region)
    {
        var administrator = sandbox.Administrator;
        using var identity = ClientIdentity.FromPem("postgres", await File.ReadAllTextAsync(administrator.CertificatePath), await File.ReadAllTextAsync(administrator.KeyPath));
        var target = ConnectionTarget.Instance(sandbox.Outputs.Regions.Single(r => r.Name == region));
        return await new Connector(Connector.TrustAnchors(sandbox.Outputs.RootCaCertificate), "postgres", TimeSpan.FromSeconds(10)).OpenAsync(target, identity, CancellationToken.None);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
