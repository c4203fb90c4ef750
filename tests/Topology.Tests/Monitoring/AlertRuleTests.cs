using System.Text.Json;
using System.Text.Json.Nodes;
using CliWrap;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Tests.Topology.Monitoring;

/// <summary>
/// Issue 14: each rendered alert, run by Prometheus' own rule engine (<c>promtool test rules</c>, Debian's prometheus
/// package), fires on series that should fire it and stays silent on healthy ones, of its own region and of others.
/// </summary>
public sealed class AlertRuleTests
{
    private const string Us = "pg-us";

    private static readonly TopologyConfig Topology = Monitored();

    public static TheoryData<string> Alerts() => [.. MonitoringManifests.Alerts(Topology, Region("us"), Names("us")).Select(a => a.Name)];

    [Theory]
    [MemberData(nameof(Alerts))]
    public async Task EachAlertFiresOnItsFaultAndStaysSilentWhenHealthy(string alert)
    {
        var (firing, healthy, evaluateAt) = Cases[alert];
        var rule = MonitoringManifests.Alerts(Topology, Region("us"), Names("us")).Single(a => a.Name == alert);
        var expected = new JsonObject
        {
            ["exp_labels"] = Labels(firing.Fires, rule.Severity),
            ["exp_annotations"] = new JsonObject { ["summary"] = rule.Summary, ["description"] = rule.Description },
        };

        var fires = await PromtoolAsync(firing.Series, alert, evaluateAt, [expected]);
        var silent = await PromtoolAsync(healthy, alert, evaluateAt, []);
        var wronglyExpectedSilence = await PromtoolAsync(firing.Series, alert, evaluateAt, []);

        Assert.True(fires.ExitCode == 0, fires.Output);
        Assert.True(silent.ExitCode == 0, silent.Output);
        Assert.NotEqual(0, wronglyExpectedSilence.ExitCode);
    }

    [Fact]
    public void ADelayedReplicasLagAlertAllowsForItsDelay()
    {
        var delayed = MonitoringManifests.Alerts(Topology, Region("us"), Names("us")).Single(a => a.Name == "CrossClusterReplicationLagHigh");
        var plain = MonitoringManifests.Alerts(Topology, Region("ap"), Names("ap")).Single(a => a.Name == "CrossClusterReplicationLagHigh");

        Assert.EndsWith("> 3900", delayed.Expression, StringComparison.Ordinal);
        Assert.EndsWith("> 300", plain.Expression, StringComparison.Ordinal);
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
            (new() { [Series("cnpg_pg_replication_lag", $"{Us}-1")] = "4000x10" }, Series("cnpg_pg_replication_lag", $"{Us}-1")),
            new() { [Series("cnpg_pg_replication_lag", $"{Us}-1")] = "3700x10" },
            "5m"),
        ["CrossClusterArchiveFailing"] = (
            (new() { [Series("cnpg_pg_stat_archiver_last_failed_time", $"{Us}-1")] = "200x10", [Series("cnpg_pg_stat_archiver_last_archived_time", $"{Us}-1")] = "100x10" }, Series("cnpg_pg_stat_archiver_last_failed_time", $"{Us}-1")),
            new() { [Series("cnpg_pg_stat_archiver_last_failed_time", $"{Us}-1")] = "100x10", [Series("cnpg_pg_stat_archiver_last_archived_time", $"{Us}-1")] = "200x10" },
            "8m"),
        ["CrossClusterCertificateExpiring"] = (
            (new() { [Series($"cnpg_{CertificateExpiries.QueryName}_expiry_timestamp_seconds", $"{Us}-1", Certificate)] = "1000x20", [Series($"cnpg_{CertificateExpiries.QueryName}_renew_before_seconds", $"{Us}-1", Certificate)] = "86400x20" }, Series("x", $"{Us}-1", Certificate)),
            new() { [Series($"cnpg_{CertificateExpiries.QueryName}_expiry_timestamp_seconds", $"{Us}-1", Certificate)] = "1000000000x20", [Series($"cnpg_{CertificateExpiries.QueryName}_renew_before_seconds", $"{Us}-1", Certificate)] = "86400x20" },
            "15m"),
        ["CrossClusterPoolerDown"] = (
            (new() { [Series("cnpg_pgbouncer_up", $"{Us}-pooler-rw-6d9f7c-abcde")] = "0x10" }, Series("cnpg_pgbouncer_up", $"{Us}-pooler-rw-6d9f7c-abcde")),
            new() { [Series("cnpg_pgbouncer_up", $"{Us}-pooler-rw-6d9f7c-abcde")] = "1x10" },
            "5m"),
    };

    private const string Certificate = "certificate=\"us-server\",tier=\"leaf\"";

    private static string Series(string metric, string pod, string? extra = null) =>
        $"{metric}{{namespace=\"{Topology.Namespace.Name}\",pod=\"{pod}\"{(extra is null ? string.Empty : "," + extra)}}}";

    // The labels an alert carries: those of the series it fires for (less the name) and the rule's severity.
    private static JsonObject Labels(string series, string severity)
    {
        var labels = new JsonObject { ["severity"] = severity };
        var inner = series[(series.IndexOf('{', StringComparison.Ordinal) + 1)..^1];
        foreach (var pair in inner.Split(','))
        {
            var (key, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 2)..^1]);
            labels[key] = value;
        }

        return labels;
    }

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(Dictionary<string, string> series, string alert, string at, JsonArray expected)
    {
        var directory = Directory.CreateTempSubdirectory("crosscluster-promtool-");
        try
        {
            var rules = TopologyManifests.For(Topology).Single(r => r.Region == "us").Monitoring.Single(m => m.Kind == "PrometheusRule");
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
                    ["alert_rule_test"] = new JsonArray(new JsonObject { ["eval_time"] = at, ["alertname"] = alert, ["exp_alerts"] = expected }),
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
