using System.CommandLine;
using CrossClusterIac.Sandbox.Monitoring;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Sandbox;

/// <summary>The command line of the sandbox's monitoring: <c>up --monitoring</c>, its part of <c>status</c>, the exporters' daemon.</summary>
internal static class MonitoringCommands
{
    /// <summary><c>--monitoring</c>: exporters and a Prometheus per region.</summary>
    public static readonly Option<bool> MonitoringOption = new("--monitoring")
    {
        Description = "Also run CNPG's exporters (its default queries and the Cluster's custom query on each PostgreSQL, SHOW LISTS/POOLS/STATS on each PgBouncer) and, per region, a Prometheus (Debian's prometheus) evaluating the region's rendered PrometheusRule.",
    };

    /// <summary><c>--monitoring-interval</c>: how often each Prometheus scrapes and evaluates.</summary>
    public static readonly Option<string> IntervalOption = new("--monitoring-interval")
    {
        Description = "How often each Prometheus scrapes and evaluates, e.g. 1s. [default: 5s]",
    };

    /// <summary><c>--alert-for</c>: every rule's <c>for</c>, shortened for a drill in the sandbox's Prometheus only.</summary>
    public static readonly Option<string> AlertForOption = new("--alert-for")
    {
        Description = "Load every rule with this `for` instead of the rendered one (the rendered PrometheusRule is unchanged), e.g. 3s for a drill. [default: the rules' own]",
    };

    /// <summary>The timing <c>--monitoring</c> asks for, or <c>null</c> without it.</summary>
    /// <exception cref="SandboxException">A value is no duration, or is given without <c>--monitoring</c>.</exception>
    public static MonitoringTiming? TimingOf(ParseResult parsed)
    {
        var (interval, shortened) = (parsed.GetValue(IntervalOption), parsed.GetValue(AlertForOption));
        if (!parsed.GetValue(MonitoringOption))
        {
            return interval is null && shortened is null
                ? null
                : throw new SandboxException("--monitoring-interval and --alert-for need --monitoring.", SandboxException.UsageExitCode);
        }

        return new MonitoringTiming(
            interval is null ? MonitoringTiming.Default.Interval : Duration("--monitoring-interval", interval),
            shortened is null ? null : Duration("--alert-for", shortened));
    }

    /// <summary><c>sandbox exporters-daemon</c>: the exporters' own process; <c>sandbox up --monitoring</c> starts it.</summary>
    public static Command Daemon(Option<string> directory)
    {
        var command = new Command("exporters-daemon", "The exporters' own process; `sandbox up --monitoring` starts it and `sandbox down` stops it.") { directory };
        command.Hidden = true;
        command.SetAction((parsed, cancellationToken) => ExportersDaemon.RunAsync(Path.GetFullPath(parsed.GetValue(directory)!), cancellationToken));
        return command;
    }

    /// <summary>Each region's Prometheus and the alerts it holds, pending or firing (<c>null</c> alerts: it does not answer); empty without monitoring.</summary>
    public static async Task<IReadOnlyList<PrometheusStatus>> ReadAsync(SandboxState state, CancellationToken cancellationToken)
    {
        var regions = new List<PrometheusStatus>();
        foreach (var region in state.Monitoring?.Regions ?? [])
        {
            regions.Add(new PrometheusStatus(region.Region, Address(region), await MonitoringProcesses.AlertsAsync(region, cancellationToken)));
        }

        return regions;
    }

    /// <summary>Each region's Prometheus as a line, then its alerts one a line.</summary>
    public static void Write(TextWriter output, IReadOnlyList<PrometheusStatus> regions)
    {
        foreach (var region in regions)
        {
            var alerts = region.Alerts;
            output.WriteLine($"prometheus {region.Region,-8} {region.Address,-28} {(alerts is null ? "DOWN" : alerts.Count == 0 ? "no alerts" : $"{alerts.Count(a => a.State == "firing")} firing, {alerts.Count(a => a.State == "pending")} pending")}");
            foreach (var alert in alerts ?? [])
            {
                var labels = string.Join(",", alert.Labels.Where(l => l.Key is not ("severity" or "namespace")).Select(l => $"{l.Key}={l.Value}"));
                output.WriteLine($"  {alert.State,-8} {alert.Name} {labels}");
            }
        }
    }

    private static string Address(RegionMonitoring ports) => $"http://{SandboxTopology.Address}:{ports.PrometheusPort}";

    private static TimeSpan Duration(string option, string text) =>
        ApplyDelay.TryParse(text, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new SandboxException($"{option}: '{text}' is not a duration such as 2s or 500ms.", SandboxException.UsageExitCode);
}

/// <summary>A region's Prometheus as <c>sandbox status</c> shows it.</summary>
/// <param name="Region">Region name.</param>
/// <param name="Address">Its address.</param>
/// <param name="Alerts">The alerts it holds, or <c>null</c> when it does not answer.</param>
public sealed record PrometheusStatus(string Region, string Address, IReadOnlyList<SandboxAlert>? Alerts);
