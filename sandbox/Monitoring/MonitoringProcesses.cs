using System.Text.Json;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// Starts and stops the sandbox's monitoring: one process serving every exporter, and per region a Prometheus (Debian's
/// <c>prometheus</c>) scraping that region's exporters and evaluating that region's rules, as each cluster runs its own;
/// a region that goes dark takes its alerts with it, which is what the other regions' rules must see.
/// </summary>
internal static class MonitoringProcesses
{
    /// <summary>The ledger's name for the exporters' location (it belongs to no region).</summary>
    public const string ExportersLocation = "exporters";

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    /// <summary>Where a region's Prometheus keeps its configuration, rules and data.</summary>
    public static string PrometheusDirectory(SandboxRegion region) => Path.Combine(region.Directory, "prometheus");

    /// <summary>Starts the exporters and every region's Prometheus, and waits until each Prometheus answers.</summary>
    /// <exception cref="SandboxException">The prometheus package is missing, or a process did not start.</exception>
    public static async Task StartAsync(ProcessLedger ledger, IReadOnlyList<RegionManifests> manifests, CancellationToken cancellationToken)
    {
        var monitoring = ledger.State.Monitoring!;
        var prometheus = Prometheus();
        var muxer = Links.LinkDaemonProcess.Muxer();
        await Daemon.StartAsync(
            ledger, ExportersLocation, ServerKind.Exporters, muxer,
            [muxer, "exec", typeof(ExportersDaemon).Assembly.Location, "exporters-daemon", "--dir", ledger.Directory],
            Path.Combine(ledger.Directory, ExportersDaemon.PidFileName), Path.Combine(ledger.Directory, ExportersDaemon.LogFileName));
        foreach (var region in ledger.State.Regions)
        {
            var ports = monitoring.Region(region.Name);
            var regionManifests = manifests.Single(m => m.Region == region.Name);
            var home = PrometheusDirectory(region);
            Directory.CreateDirectory(home);
            await File.WriteAllTextAsync(Path.Combine(home, "prometheus.yml"), PrometheusConfiguration.Configuration(regionManifests, ports, monitoring.Timing), cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(home, PrometheusConfiguration.RulesFileName), PrometheusConfiguration.Rules(regionManifests, monitoring.Timing), cancellationToken);
            await Daemon.StartAsync(
                ledger, region.Name, ServerKind.Prometheus, prometheus,
                [
                    prometheus, $"--config.file={Path.Combine(home, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(home, "data")}",
                    $"--web.listen-address={SandboxTopology.Address}:{ports.PrometheusPort}", "--log.level=warn",
                ],
                Path.Combine(home, "prometheus.pid"), Path.Combine(home, "prometheus.log"));
        }

        foreach (var region in ledger.State.Regions)
        {
            await ReadyAsync(region, monitoring.Region(region.Name), cancellationToken);
        }

        // The exporters' pid is written before the process listens: the first scrape of each waits until it does.
        foreach (var port in monitoring.Regions.SelectMany(r => new[] { r.InstanceExporterPort, r.PoolerExporterPort }))
        {
            await AnswersAsync($"http://{SandboxTopology.Address}:{port}/metrics", Path.Combine(ledger.Directory, ExportersDaemon.LogFileName), cancellationToken);
        }
    }

    /// <summary>Stops every region's Prometheus and the exporters, those the ledger holds.</summary>
    public static async Task StopAsync(ProcessLedger ledger)
    {
        await Task.WhenAll(ledger.State.Regions.Select(r => StopPrometheusAsync(ledger, r.Name)));
        await Daemon.StopAsync(ledger, ExportersLocation, ServerKind.Exporters);
    }

    /// <summary>Stops a region's Prometheus, if the ledger holds one that runs.</summary>
    public static Task StopPrometheusAsync(ProcessLedger ledger, string region) => Daemon.StopAsync(ledger, region, ServerKind.Prometheus);

    /// <summary>The alerts a region's Prometheus holds pending or firing (its <c>/api/v1/alerts</c>); <c>null</c> when it does not answer.</summary>
    public static async Task<IReadOnlyList<SandboxAlert>?> AlertsAsync(RegionMonitoring ports, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri($"http://{SandboxTopology.Address}:{ports.PrometheusPort}/api/v1/alerts"), cancellationToken));
            return [.. document.RootElement.GetProperty("data").GetProperty("alerts").EnumerateArray().Select(a => new SandboxAlert(
                ports.Region,
                a.GetProperty("labels").GetProperty("alertname").GetString()!,
                a.GetProperty("state").GetString()!,
                a.GetProperty("labels").EnumerateObject().Where(l => l.Name != "alertname").ToDictionary(l => l.Name, l => l.Value.GetString() ?? string.Empty, StringComparer.Ordinal),
                a.TryGetProperty("activeAt", out var at) ? at.GetDateTimeOffset() : null))];
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return null;
        }
    }

    private static async Task ReadyAsync(SandboxRegion region, RegionMonitoring ports, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await AlertsAsync(ports, cancellationToken) is null)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new SandboxException($"Prometheus of region {region.Name} did not answer on {SandboxTopology.Address}:{ports.PrometheusPort} within 30 s. See {Path.Combine(PrometheusDirectory(region), "prometheus.log")}.");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static async Task AnswersAsync(string url, string log, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(new Uri(url), cancellationToken);
                return;
            }
            // A request that outlives the client's timeout (HttpClient throws TaskCanceledException for it) is an
            // exporter not answering yet, as a refused connection is: a first scrape on a loaded machine takes seconds.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new SandboxException($"The exporter at {url} did not answer within 30 s ({e.Message}). See {log}.", 1, e);
            }
        }
    }

    private static string Prometheus() =>
        File.Exists("/usr/bin/prometheus") ? "/usr/bin/prometheus"
        : throw new SandboxException("--monitoring needs Prometheus (/usr/bin/prometheus): install the Debian package prometheus (scripts/install-prerequisites.sh does).", SandboxException.UsageExitCode);
}

/// <summary>An alert a region's Prometheus holds.</summary>
/// <param name="Region">The region whose Prometheus holds it.</param>
/// <param name="Name">The alert's name.</param>
/// <param name="State"><c>pending</c> or <c>firing</c>.</param>
/// <param name="Labels">Its labels besides the name.</param>
/// <param name="ActiveAt">When its expression first held.</param>
public sealed record SandboxAlert(string Region, string Name, string State, IReadOnlyDictionary<string, string> Labels, DateTimeOffset? ActiveAt);
