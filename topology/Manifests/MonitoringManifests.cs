using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// A region's monitoring objects (see <see cref="MonitoringSettings"/>): the PodMonitors, the PrometheusRule of
/// <see cref="AlertRules"/> and the certificate query's ConfigMap. The instances' exporter listens on the port
/// <c>metrics</c> (9187), the pooler's on the port <c>metrics</c> (9127). The PodMonitors select pods as CNPG's
/// deprecated enablePodMonitor did (<c>cnpg.io/cluster</c> or <c>cnpg.io/poolerName</c>, with <c>cnpg.io/podRole</c>;
/// docs/src/monitoring.md).
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
                            ["rules"] = AlertRules.For(topology, region, names).Select(Rule).ToArray<object?>(),
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
        ["labels"] = alert.Labels.Prepend(new("severity", alert.Severity)).ToDictionary(l => l.Key, l => (object?)l.Value, StringComparer.Ordinal),
        ["annotations"] = new Dictionary<string, object?> { ["summary"] = alert.Summary, ["description"] = alert.Description },
    };
}
