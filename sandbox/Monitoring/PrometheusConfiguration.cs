using System.Text.Json;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// A region's Prometheus as the Prometheus Operator would configure it from the region's rendered PodMonitors and
/// PrometheusRule. Scrape targets carry the labels the operator's relabelling gives a PodMonitor's target
/// (prometheus-operator pkg/prometheus/promcfg.go generatePodMonitorConfig: <c>namespace</c>, <c>pod</c>, <c>container</c>,
/// <c>endpoint</c> = the port's name, <c>job</c> = namespace/name of the PodMonitor; the scrape job itself is named
/// <c>podMonitor/namespace/name/index</c>). The rules are the PrometheusRule's <c>spec.groups</c> verbatim, as the operator
/// writes each selected PrometheusRule's spec into a rule file (no <c>enforcedNamespaceLabel</c> set), except that a
/// drill may shorten every <c>for</c> (<see cref="MonitoringTiming.For"/>). Written as JSON, which Prometheus reads as YAML.
/// </summary>
internal static class PrometheusConfiguration
{
    /// <summary>The rule file's name beside the configuration.</summary>
    public const string RulesFileName = "rules.json";

    /// <summary>Prometheus' configuration for <paramref name="manifests"/>' region, scraping its exporters.</summary>
    public static string Configuration(RegionManifests manifests, RegionMonitoring ports, MonitoringTiming timing)
    {
        var interval = MonitoringTiming.Duration(timing.Interval);
        var jobs = manifests.Monitoring.Where(m => m.Kind == "PodMonitor").Select(monitor =>
        {
            var document = ManifestDocument.ToObject(monitor);
            var spec = (IReadOnlyDictionary<string, object?>)document["spec"]!;
            var selector = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)spec["selector"]!)["matchLabels"]!;
            var endpoint = (IReadOnlyDictionary<string, object?>)((IEnumerable<object?>)spec["podMetricsEndpoints"]!).Single()!;
            // The pod CNPG would run for the selector: the Cluster's first instance, or a pod of the Pooler's Deployment.
            var (port, pod, container) = (string)selector["cnpg.io/podRole"]! == "pooler"
                ? (ports.PoolerExporterPort, $"{selector["cnpg.io/poolerName"]}-sandbox-0", "pgbouncer")
                : (ports.InstanceExporterPort, $"{selector["cnpg.io/cluster"]}-1", "postgres");
            return new Dictionary<string, object?>
            {
                ["job_name"] = $"podMonitor/{monitor.Namespace}/{monitor.Name}/0",
                ["static_configs"] = new[]
                {
                    new Dictionary<string, object?>
                    {
                        ["targets"] = new[] { $"{SandboxTopology.Address}:{port}" },
                        ["labels"] = new Dictionary<string, string> { ["namespace"] = monitor.Namespace!, ["pod"] = pod, ["container"] = container, ["endpoint"] = (string)endpoint["port"]! },
                    },
                },
                ["relabel_configs"] = new[] { new Dictionary<string, object?> { ["target_label"] = "job", ["replacement"] = $"{monitor.Namespace}/{monitor.Name}" } },
            };
        });
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["global"] = new Dictionary<string, object?> { ["scrape_interval"] = interval, ["scrape_timeout"] = interval, ["evaluation_interval"] = interval },
            ["rule_files"] = new[] { RulesFileName },
            ["scrape_configs"] = jobs.ToArray(),
        });
    }

    /// <summary>The rule file: the region's PrometheusRule's groups, with <see cref="MonitoringTiming.For"/> over every <c>for</c> when given.</summary>
    public static string Rules(RegionManifests manifests, MonitoringTiming timing)
    {
        var rule = ManifestDocument.ToObject(manifests.Monitoring.Single(m => m.Kind == "PrometheusRule"));
        var groups = ((IEnumerable<object?>)((IReadOnlyDictionary<string, object?>)rule["spec"]!)["groups"]!).Cast<IReadOnlyDictionary<string, object?>>();
        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["groups"] = groups.Select(group => group.ToDictionary(
                p => p.Key,
                p => p.Key == "rules" && timing.For is { } shortened
                    ? ((IEnumerable<object?>)p.Value!).Cast<IReadOnlyDictionary<string, object?>>().Select(r => r.ToDictionary(f => f.Key, f => f.Key == "for" ? MonitoringTiming.Duration(shortened) : f.Value)).ToArray()
                    : p.Value)).ToArray(),
        });
    }
}
