using System.Text.Json;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Tests.Topology.Monitoring;

/// <summary>
/// Issues 14 and 22: each rendered alert, run by Prometheus' own rule engine (<c>promtool test rules</c>, Debian's
/// prometheus package), fires on series CNPG v1.30.0 emits when it should and stays silent on healthy ones, of its own
/// region and of others, in both replication modes.
/// </summary>
public sealed class AlertRuleTests
{
    private const string Us = "pg-us";

    private static readonly TopologyConfig Topology = Monitored();

    public static TheoryData<string> Alerts() => [.. AlertNames()];

    private static IEnumerable<string> AlertNames() => AlertRules.For(Topology, Region("us"), Names("us")).Select(a => a.Name).Distinct();

    [Theory]
    [MemberData(nameof(Alerts))]
    public async Task EachAlertFiresOnItsFaultAndStaysSilentWhenHealthy(string alert)
    {
        var (firing, healthy, evaluateAt) = Cases[alert];
        var fires = await PromtoolAsync(Topology, firing.Series, [(alert, evaluateAt, [Expected(alert, firing.Fires)])]);
        var silent = await PromtoolAsync(Topology, healthy, [(alert, evaluateAt, [])]);
        var wronglyExpectedSilence = await PromtoolAsync(Topology, firing.Series, [(alert, evaluateAt, [])]);

        Assert.True(fires.ExitCode == 0, fires.Output);
        Assert.True(silent.ExitCode == 0, silent.Output);
        Assert.NotEqual(0, wronglyExpectedSilence.ExitCode);
    }

    [Fact]
    public void ADelayedReplicasLagAlertAllowsForItsDelay()
    {
        var delayed = AlertRules.For(Topology, Region("us"), Names("us")).Single(a => a.Name == "CrossClusterReplicationLagHigh");
        var plain = AlertRules.For(Topology, Region("ap"), Names("ap")).Single(a => a.Name == "CrossClusterReplicationLagHigh");

        Assert.EndsWith("> 3900", delayed.Expression, StringComparison.Ordinal);
        Assert.EndsWith("> 300", plain.Expression, StringComparison.Ordinal);
    }

    // Issue 22: the primary commits once, five hours after its previous commit; a replica an hour behind on purpose reads
    // CNPG's lag as now − the previous commit (18000 s and growing) for the hour the new commit waits, then 0.
    [Fact]
    public async Task ADelayedReplicaUnderSparseCommitsRaisesNoLagAlert()
    {
        var sparse = new Dictionary<string, string> { [Series("cnpg_pg_replication_lag", $"{Us}-1")] = "0x9 18000+60x59 0x40" };

        var result = await PromtoolAsync(Topology, sparse, [("CrossClusterReplicationLagHigh", "65m", []), ("CrossClusterReplicationLagHigh", "100m", [])]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Fact]
    public async Task ADelayedReplicaWhoseReplayStallsRaisesTheLagAlert()
    {
        var stalled = new Dictionary<string, string> { [Series("cnpg_pg_replication_lag", $"{Us}-1")] = "0x9 18000+60x100" };
        var series = Series("cnpg_pg_replication_lag", $"{Us}-1");

        var result = await PromtoolAsync(Topology, stalled, [("CrossClusterReplicationLagHigh", "65m", []), ("CrossClusterReplicationLagHigh", "80m", [Expected("CrossClusterReplicationLagHigh", series)])]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    // Issue 22: in replication.mode archive a replica has no WAL receiver by design, and CNPG's lag then reads the time
    // since the last replayed commit however quiet the primary is: a healthy replica, which must raise nothing.
    [Fact]
    public async Task AnArchiveModeReplicaWithoutWalReceiverRaisesNothing()
    {
        var archive = Topology with { Replication = new ReplicationSettings { Mode = ReplicationMode.Archive } };
        var replica = new Dictionary<string, string>
        {
            [Series("cnpg_pg_replication_in_recovery", $"{Us}-1")] = "1x90",
            [Series("cnpg_pg_replication_is_wal_receiver_up", $"{Us}-1")] = "0x90",
            [Series("cnpg_pg_replication_lag", $"{Us}-1")] = "0+60x90",
        };

        var archiveResult = await PromtoolAsync(archive, replica, [.. AlertNames().Select(a => (a, "85m", new JsonArray()))]);
        var streamingResult = await PromtoolAsync(Topology, replica, [("CrossClusterReplicaNotStreaming", "85m", [])]);

        Assert.True(archiveResult.ExitCode == 0, archiveResult.Output);
        Assert.NotEqual(0, streamingResult.ExitCode);
    }

    // Issue 22: in archive mode nothing watched a replica whose restore stopped. With monitoring.archiveReplicaLagSeconds
    // (the primary commits more often than that, less the archive timeout), the age of the last commit us replayed,
    // beyond its 1 h delay, is what tells: here commits every 5 min and a 1 min archive timeout keep it under 3600 + 360 s
    // until the restore stops at 10 min, and it then grows past 3600 + 600 s.
    [Fact]
    public async Task AnArchiveReplicaWhoseRestoreStopsRaisesArchiveReplayStalled()
    {
        var archive = Topology with
        {
            Replication = new ReplicationSettings { Mode = ReplicationMode.Archive, ArchiveTimeout = "1m" },
            Monitoring = Topology.Monitoring with { ArchiveReplicaLagSeconds = 600 },
        };
        const string Alert = "CrossClusterArchiveReplayStalled";
        var inRecovery = Series("cnpg_pg_replication_in_recovery", $"{Us}-1");
        var lag = Series("cnpg_pg_replication_lag", $"{Us}-1");
        var primary = new Dictionary<string, string> { [Series("cnpg_pg_replication_in_recovery", "pg-us-2")] = "0x90", [Series("cnpg_pg_replication_lag", "pg-us-2")] = "0x90" };
        var sawtooth = string.Join(' ', Enumerable.Repeat("3600+60x5", 15));
        Dictionary<string, string> Replica(string lagValues) => new(primary) { [inRecovery] = "1x90", [lag] = lagValues };

        var stalled = await PromtoolAsync(archive, Replica("3600+60x5 3600+60x80"), [(Alert, "15m", []), (Alert, "30m", [Expected(Alert, inRecovery, archive)])]);
        var healthy = await PromtoolAsync(archive, Replica(sawtooth), [(Alert, "85m", [])]);
        var unset = await PromtoolAsync(archive with { Monitoring = Topology.Monitoring }, Replica("3600+60x5 3600+60x80"), [(Alert, "30m", [])]);
        var streaming = await PromtoolAsync(Topology, Replica("3600+60x5 3600+60x80"), [(Alert, "30m", [])]);

        Assert.True(stalled.ExitCode == 0, stalled.Output);
        Assert.True(healthy.ExitCode == 0, healthy.Output);
        Assert.True(unset.ExitCode == 0, unset.Output);
        Assert.True(streaming.ExitCode == 0, streaming.Output);
        Assert.DoesNotContain(AlertRules.For(archive with { Monitoring = Topology.Monitoring }, Region("us"), Names("us")), a => a.Name == Alert);
    }

    // Issue 22: the region missing is seen by the primary, whatever region that is; a replica region raises none.
    [Fact]
    public async Task AReplicaRegionsRulesRaiseNoRegionMissingAlert()
    {
        var replica = new Dictionary<string, string> { [Series("cnpg_pg_replication_in_recovery", $"{Us}-1")] = "1x10" };

        var result = await PromtoolAsync(Topology, replica, [("CrossClusterReplicaRegionMissing", "5m", [])]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Fact]
    public async Task PoolerDownFiresWhenThePoolersExporterDoesNotAnswer()
    {
        var pod = $"{Us}-pooler-rw-6d9f7c-abcde";
        var up = $"up{{namespace=\"{Topology.Namespace.Name}\",pod=\"{pod}\",job=\"{Topology.Namespace.Name}/{Us}-pooler-rw\",container=\"pgbouncer\",endpoint=\"metrics\"}}";
        var otherJob = $"up{{namespace=\"{Topology.Namespace.Name}\",pod=\"{pod}\",job=\"something-else\"}}";

        var down = await PromtoolAsync(Topology, new() { [up] = "0x10" }, [("CrossClusterPoolerDown", "5m", [Expected("CrossClusterPoolerDown", up)])]);
        var unrelated = await PromtoolAsync(Topology, new() { [otherJob] = "0x10", [up] = "1x10" }, [("CrossClusterPoolerDown", "5m", [])]);

        Assert.True(down.ExitCode == 0, down.Output);
        Assert.True(unrelated.ExitCode == 0, unrelated.Output);
    }

    // Per alert: series that fire it (and the labels of the series it fires for), healthy series, when to evaluate.
    private static readonly Dictionary<string, ((Dictionary<string, string> Series, string Fires) Firing, Dictionary<string, string> Healthy, string At)> Cases = new(StringComparer.Ordinal)
    {
        ["CrossClusterReplicaNotStreaming"] = (
            (new() { [Series("cnpg_pg_replication_in_recovery", $"{Us}-1")] = "1x10", [Series("cnpg_pg_replication_is_wal_receiver_up", $"{Us}-1")] = "0x10" }, Series("cnpg_pg_replication_in_recovery", $"{Us}-1")),
            new()
            {
                [Series("cnpg_pg_replication_in_recovery", $"{Us}-1")] = "1x10",
                [Series("cnpg_pg_replication_is_wal_receiver_up", $"{Us}-1")] = "1x10",
                // Another region's instance cut from its source is that region's alert, not this one's.
                [Series("cnpg_pg_replication_in_recovery", "pg-ap-1")] = "1x10",
                [Series("cnpg_pg_replication_is_wal_receiver_up", "pg-ap-1")] = "0x10",
            },
            "5m"),
        ["CrossClusterReplicationLagHigh"] = (
            (new() { [Series("cnpg_pg_replication_lag", $"{Us}-1")] = "4000x70" }, Series("cnpg_pg_replication_lag", $"{Us}-1")),
            new() { [Series("cnpg_pg_replication_lag", $"{Us}-1")] = "3700x70" },
            "65m"),
        // us is the primary here: ap streams from it, eu does not.
        ["CrossClusterReplicaRegionMissing"] = (
            (new()
            {
                [Series("cnpg_pg_replication_in_recovery", $"{Us}-1")] = "0x10",
                [Walsender("pg-ap")] = "100x10",
            }, Series("cnpg_pg_replication_in_recovery", $"{Us}-1", "replica_cluster=\"pg-eu\"")),
            new()
            {
                [Series("cnpg_pg_replication_in_recovery", $"{Us}-1")] = "0x10",
                [Walsender("pg-ap")] = "100x10",
                [Walsender("pg-eu")] = "100x10",
            },
            "5m"),
        ["CrossClusterArchiveFailing"] = (
            (new() { [Series("cnpg_pg_stat_archiver_last_failed_time", $"{Us}-1")] = "200x10", [Series("cnpg_pg_stat_archiver_last_archived_time", $"{Us}-1")] = "100x10" }, Series("cnpg_pg_stat_archiver_last_failed_time", $"{Us}-1")),
            new() { [Series("cnpg_pg_stat_archiver_last_failed_time", $"{Us}-1")] = "100x10", [Series("cnpg_pg_stat_archiver_last_archived_time", $"{Us}-1")] = "200x10" },
            "8m"),
        ["CrossClusterCertificateExpiring"] = (
            (new() { [Series($"cnpg_{CertificateExpiries.QueryName}_expiry_timestamp_seconds", $"{Us}-1", Certificate)] = "1000x20", [Series($"cnpg_{CertificateExpiries.QueryName}_renew_before_seconds", $"{Us}-1", Certificate)] = "86400x20" }, Series("x", $"{Us}-1", Certificate)),
            new() { [Series($"cnpg_{CertificateExpiries.QueryName}_expiry_timestamp_seconds", $"{Us}-1", Certificate)] = "1000000000x20", [Series($"cnpg_{CertificateExpiries.QueryName}_renew_before_seconds", $"{Us}-1", Certificate)] = "86400x20" },
            "15m"),
        // CNPG's pooler exporter emits last_collection_error, never cnpg_pgbouncer_up (issue 22).
        ["CrossClusterPoolerDown"] = (
            (new() { [Series("cnpg_pgbouncer_last_collection_error", $"{Us}-pooler-rw-6d9f7c-abcde")] = "1x10" }, Series("cnpg_pgbouncer_last_collection_error", $"{Us}-pooler-rw-6d9f7c-abcde")),
            new() { [Series("cnpg_pgbouncer_last_collection_error", $"{Us}-pooler-rw-6d9f7c-abcde")] = "0x10" },
            "5m"),
    };

    private static string Walsender(string replica) =>
        Series("cnpg_pg_stat_replication_backend_start", $"{Us}-1", $"usename=\"streaming_replica\",application_name=\"{replica}\",client_addr=\"10.0.0.1\",client_port=\"5000\"");

    // The alert the rule with that name (and the series' replica_cluster, if any) raises for the series.
    private static JsonObject Expected(string alert, string series, TopologyConfig? topology = null)
    {
        var labels = Labels(series);
        var rule = AlertRules.For(topology ?? Topology, Region("us"), Names("us")).Single(a => a.Name == alert && a.Labels.All(l => labels[l.Key]?.GetValue<string>() == l.Value));
        labels["severity"] = rule.Severity;
        return new JsonObject
        {
            ["exp_labels"] = labels,
            ["exp_annotations"] = new JsonObject { ["summary"] = rule.Summary, ["description"] = rule.Description },
        };
    }

    private const string Certificate = "certificate=\"us-server\",tier=\"leaf\"";

    private static string Series(string metric, string pod, string? extra = null) =>
        $"{metric}{{namespace=\"{Topology.Namespace.Name}\",pod=\"{pod}\"{(extra is null ? string.Empty : "," + extra)}}}";

    // The labels of a series, less its name.
    private static JsonObject Labels(string series)
    {
        var labels = new JsonObject();
        var inner = series[(series.IndexOf('{', StringComparison.Ordinal) + 1)..^1];
        foreach (var pair in inner.Split(','))
        {
            var (key, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 2)..^1]);
            labels[key] = value;
        }

        return labels;
    }

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(TopologyConfig topology, Dictionary<string, string> series, IReadOnlyList<(string Alert, string At, JsonArray Expected)> tests)
    {
        var directory = Directory.CreateTempSubdirectory("crosscluster-promtool-");
        try
        {
            var rules = TopologyManifests.For(topology).Single(r => r.Region == "us").Monitoring.Single(m => m.Kind == "PrometheusRule");
            var spec = (IReadOnlyDictionary<string, object?>)ManifestDocument.ToObject(rules)["spec"]!;
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "rules.json"), JsonSerializer.Serialize(new Dictionary<string, object?> { ["groups"] = spec["groups"] }));
            var test = new JsonObject
            {
                ["rule_files"] = new JsonArray("rules.json"),
                ["evaluation_interval"] = "1m",
                ["tests"] = new JsonArray(new JsonObject
                {
                    ["interval"] = "1m",
                    ["input_series"] = new JsonArray([.. series.Select(s => (JsonNode)new JsonObject { ["series"] = s.Key, ["values"] = s.Value })]),
                    ["alert_rule_test"] = new JsonArray([.. tests.Select(t => (JsonNode)new JsonObject { ["eval_time"] = t.At, ["alertname"] = t.Alert, ["exp_alerts"] = t.Expected.DeepClone() })]),
                }),
            };
            await File.WriteAllTextAsync(Path.Combine(directory.FullName, "test.json"), test.ToJsonString());
            var result = await Cli.Wrap("promtool").WithArguments(["test", "rules", "test.json"]).WithWorkingDirectory(directory.FullName)
                .WithValidation(CommandResultValidation.None).ExecuteBufferedAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            return (result.ExitCode, result.StandardOutput + result.StandardError);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static RegionConfig Region(string name) => Topology.Regions.Single(r => r.Name == name);

    private static CrossClusterIac.Topology.Naming.ClusterNames Names(string region) => new(region, Topology.Namespace.Name);

    private static TopologyConfig Monitored()
    {
        var prod = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("prod"));
        return prod with
        {
            Monitoring = prod.Monitoring with { Enabled = true },
            Regions = [.. prod.Regions.Select(r => r.Name == "us" ? r with { Replication = new RegionReplicationConfig { MinApplyDelay = "1h" } } : r)],
        };
    }
}
