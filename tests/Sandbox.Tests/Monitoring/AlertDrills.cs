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
    /// Once every region's Prometheus holds series from both of its exporters, watches long enough for any rule that
    /// holds on them to fire (its <c>for</c> and three evaluations), and asserts none fires meanwhile.
    /// </summary>
    /// <remarks>
    /// Pending is not asserted on: a scrape that fails on a loaded machine (past its 2 s timeout, or the exporter's psql
    /// not reaching PgBouncer in time) reads as a pooler down for an evaluation, and <c>CrossClusterPoolerDown</c>
    /// rightly goes pending on it (CI, once). Prometheus fires only what the expression returned through the whole
    /// <c>for</c> (Prometheus docs, configuration/alerting_rules.md, "for"), so a rule that holds on healthy series
    /// still fails here, within <c>for</c> of its first evaluation, and a single failed scrape does not.
    /// </remarks>
    public static async Task NoneFiresAsync(RunningSandbox sandbox)
    {
        await EveryRegionScrapedAsync(sandbox);

        var until = DateTime.UtcNow + Quick.For!.Value + (Quick.Interval * 3);
        while (DateTime.UtcNow < until)
        {
            foreach (var region in sandbox.State.Regions)
            {
                var alerts = await sandbox.AlertsAsync(region.Name);
                Assert.NotNull(alerts);
                var firing = alerts.Where(a => a.State == "firing").ToList();
                Assert.True(firing.Count == 0, $"healthy, yet region {region.Name}'s Prometheus fires: {Describe(firing)}; it holds: {Describe(alerts)}");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>Waits until no region's Prometheus holds an alert, pending or firing, once each has scraped both exporters.</summary>
    public static async Task ClearedAsync(RunningSandbox sandbox)
    {
        await EveryRegionScrapedAsync(sandbox);

        var clock = Stopwatch.StartNew();
        while (true)
        {
            var held = new List<SandboxAlert>();
            foreach (var region in sandbox.State.Regions)
            {
                held.AddRange(await sandbox.AlertsAsync(region.Name) ?? []);
            }

            if (held.Count == 0)
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"alerts still held after 60 s: {Describe(held)}");
            await Task.Delay(200);
        }
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="connection"/>.</summary>
    public static async Task ExecuteAsync(Npgsql.NpgsqlConnection connection, string sql)
    {
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Waits until <paramref name="check"/> returns true on <paramref name="replica"/>: what it looks for was replayed.</summary>
    public static async Task ReplayedAsync(Npgsql.NpgsqlConnection replica, string check)
    {
        var clock = Stopwatch.StartNew();
        await using var command = new Npgsql.NpgsqlCommand(check, replica);
        while (await command.ExecuteScalarAsync() is not true)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{check} did not hold on the replica within 30 s");
            await Task.Delay(100);
        }
    }

    // In every region both exporters answered a scrape (up 1), so the rules have data to judge.
    private static async Task EveryRegionScrapedAsync(RunningSandbox sandbox)
    {
        foreach (var region in sandbox.State.Regions)
        {
            await HoldsAsync(sandbox, region.Name, "count(up == 1) == 2");
        }
    }

    /// <summary>Waits until <paramref name="query"/> returns a series in <paramref name="region"/>'s Prometheus (a comparison holds on the last scrape).</summary>
    public static async Task HoldsAsync(RunningSandbox sandbox, string region, string query)
    {
        var ports = sandbox.State.Monitoring!.Region(region);
        using var http = new HttpClient();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var answer = await http.GetStringAsync(new Uri($"http://127.0.0.1:{ports.PrometheusPort}/api/v1/query?query={Uri.EscapeDataString(query)}"));
            if (answer.Contains("\"value\":[", StringComparison.Ordinal))
            {
                return;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{query} did not hold in region {region}'s Prometheus within 60 s: {answer}");
            await Task.Delay(200);
        }
    }

    private static string Describe(IEnumerable<SandboxAlert> alerts) =>
        string.Join("; ", alerts.Select(a => $"{a.State} {a.Name} {string.Join(",", a.Labels.Select(l => $"{l.Key}={l.Value}"))}")) is { Length: > 0 } text ? text : "nothing";
}
