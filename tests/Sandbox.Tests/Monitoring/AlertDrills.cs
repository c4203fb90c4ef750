using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Sandbox.Monitoring;

namespace CrossClusterIac.Tests.Sandbox.Monitoring;

/// <summary>Waiting on the alerts a sandbox region's real Prometheus holds.</summary>
internal static class AlertDrills
{
    /// <summary>
    /// Scrapes and evaluations every 2 s and a <c>for</c> of 4 s: a fault fires within seconds, the rendered rules
    /// unchanged. A scrape may take 2 s on a loaded machine; at 1 s one timed out now and then and held an alert pending.
    /// </summary>
    public static readonly MonitoringTiming Quick = new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4));

    /// <summary>Waits until <paramref name="region"/>'s Prometheus fires <paramref name="alert"/> (with <paramref name="label"/> when given); returns how long it took.</summary>
    public static async Task<TimeSpan> FiringAsync(RunningSandbox sandbox, string region, string alert, (string Name, string Value)? label = null, TimeSpan? limit = null)
    {
        var clock = Stopwatch.StartNew();
        var deadline = limit ?? TimeSpan.FromSeconds(30);
        while (true)
        {
            var alerts = await sandbox.AlertsAsync(region) ?? [];
            if (alerts.Any(a => a.Name == alert && a.State == "firing" && (label is not { } l || a.Labels.GetValueOrDefault(l.Name) == l.Value)))
            {
                return clock.Elapsed;
            }

            Assert.True(clock.Elapsed < deadline, $"{alert} did not fire in region {region}'s Prometheus within {deadline.TotalSeconds:0} s; it holds: {Describe(alerts)}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Lets <paramref name="evaluations"/> evaluations pass once every region's Prometheus holds series from both of
    /// its exporters, and asserts no region holds any alert, pending or firing, meanwhile.
    /// </summary>
    public static async Task NoneAsync(RunningSandbox sandbox, int evaluations)
    {
        foreach (var region in sandbox.State.Regions)
        {
            await ScrapedAsync(sandbox, region.Name);
        }

        var until = DateTime.UtcNow + (Quick.Interval * evaluations);
        while (DateTime.UtcNow < until)
        {
            foreach (var region in sandbox.State.Regions)
            {
                var alerts = await sandbox.AlertsAsync(region.Name);
                Assert.NotNull(alerts);
                Assert.True(alerts.Count == 0, $"healthy, yet region {region.Name}'s Prometheus holds: {Describe(alerts)}");
            }

            await Task.Delay(250);
        }
    }

    // Both exporters answered a scrape (up 1), so a rule has data to judge.
    private static async Task ScrapedAsync(RunningSandbox sandbox, string region)
    {
        var ports = sandbox.State.Monitoring!.Region(region);
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports.PrometheusPort}/api/v1/query?query=count(up%3D%3D1)"));
            if (answer.Contains("\"value\":[", StringComparison.Ordinal) && answer.Contains(",\"2\"]", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"region {region}'s Prometheus did not scrape both exporters within 30 s: {answer}");
            await Task.Delay(200);
        }
    }

    private static string Describe(IEnumerable<SandboxAlert> alerts) =>
        string.Join("; ", alerts.Select(a => $"{a.State} {a.Name} {string.Join(",", a.Labels.Select(l => $"{l.Key}={l.Value}"))}")) is { Length: > 0 } text ? text : "nothing";
}
