using System.Globalization;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// The sandbox's monitoring (<c>sandbox up --monitoring</c>): per region, the ports of the instance's and the pooler's
/// exporters (CNPG's port <c>metrics</c> of the instance and pooler pods) and of the region's own Prometheus.
/// </summary>
/// <param name="Regions">Per region, in the sandbox's order.</param>
/// <param name="Timing">How often Prometheus scrapes and evaluates, and the <c>for</c> the rules are loaded with.</param>
public sealed record SandboxMonitoring(IReadOnlyList<RegionMonitoring> Regions, MonitoringTiming Timing)
{
    /// <summary>Ports a sandbox of <paramref name="regions"/> regions takes for its monitoring.</summary>
    public static int PortsNeeded(int regions) => 3 * regions;

    /// <summary>The monitoring of <paramref name="regions"/> on <paramref name="ports"/> (<see cref="PortsNeeded"/> of them).</summary>
    public static SandboxMonitoring For(IReadOnlyList<string> regions, IReadOnlyList<int> ports, MonitoringTiming timing) =>
        new([.. regions.Select((r, i) => new RegionMonitoring(r, ports[3 * i], ports[(3 * i) + 1], ports[(3 * i) + 2]))], timing);

    /// <summary>A region's monitoring.</summary>
    public RegionMonitoring Region(string name) => Regions.Single(r => r.Region == name);

    /// <summary>
    /// The topology the monitoring objects are rendered from: the sandbox's, with <c>monitoring.enabled</c>, as the
    /// prod stack has it. Only the PrometheusRule, the PodMonitors and the certificate query's ConfigMap are read from
    /// it; the servers stay realised from the sandbox's own manifests.
    /// </summary>
    public static TopologyConfig Monitored(TopologyConfig topology) => topology with { Monitoring = topology.Monitoring with { Enabled = true } };
}

/// <summary>One region's exporters and Prometheus.</summary>
/// <param name="Region">Region name.</param>
/// <param name="InstanceExporterPort">The instance exporter's port (CNPG's 9187).</param>
/// <param name="PoolerExporterPort">The pooler exporter's port (CNPG's 9127).</param>
/// <param name="PrometheusPort">The region's Prometheus.</param>
public sealed record RegionMonitoring(string Region, int InstanceExporterPort, int PoolerExporterPort, int PrometheusPort);

/// <summary>
/// Prometheus' timing in the sandbox. Production values are Prometheus' defaults and the rules' own <c>for</c>; a
/// drill shortens them here, in the sandbox's Prometheus configuration, never in the rendered rules.
/// </summary>
/// <param name="Interval">Scrape and evaluation interval.</param>
/// <param name="For">Replaces every rule's <c>for</c> when given.</param>
public sealed record MonitoringTiming(TimeSpan Interval, TimeSpan? For = null)
{
    /// <summary>Prometheus' default intervals (1 m) would make a drill wait minutes; 5 s keeps the rules' meaning.</summary>
    public static MonitoringTiming Default { get; } = new(TimeSpan.FromSeconds(5));

    /// <summary>A duration as Prometheus writes one.</summary>
    public static string Duration(TimeSpan span) => span.TotalMilliseconds % 1000 == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalSeconds}s")
        : string.Create(CultureInfo.InvariantCulture, $"{(long)span.TotalMilliseconds}ms");
}
