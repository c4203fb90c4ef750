using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Sandbox.Links;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using Npgsql;

/// <summary>
/// Regions a distance apart: the verify suite's round trips at 20, 80 and 150 ms for 2 and 3 regions, the time a
/// replica takes to stream again after a 30 s partition, and commit-to-visible lag of streaming against archive-only
/// replication at 80 ms.
/// </summary>
internal static class Distance
{
    private static readonly int[] RoundTrips = [20, 80, 150];

    /// <summary>
    /// The suite's wall time at each round trip, median of <paramref name="runs"/> warm runs on one sandbox whose every
    /// link (between regions and to the client) is given that round trip; its round trips are its growth over the
    /// same suite at 0 ms, divided by the round trip (the suite's own CPU time on this machine is no round trip).
    /// </summary>
    public static async Task VerifyAsync(int runs, Func<int, SandboxOptions> options)
    {
        var growth = new Dictionary<(int Regions, int RoundTrip), double>();
        var suites = new Dictionary<(int Regions, int RoundTrip), double>();
        foreach (var regions in new[] { 2, 3 })
        {
            await using var sandbox = await LocalSandbox.UpAsync(options(regions));
            var walls = new Dictionary<int, double>();
            foreach (var roundTrip in RoundTrips.Prepend(0))
            {
                SetEveryLink(sandbox, TimeSpan.FromMilliseconds(roundTrip));
                await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions()); // warm-up, and the links settle
                var times = new List<double>();
                for (var i = 0; i < runs; i++)
                {
                    var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());
                    if (!report.Passed)
                    {
                        throw new InvalidOperationException($"verify failed at {roundTrip} ms: {string.Join("; ", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}"))}");
                    }

                    times.Add(report.Duration.TotalMilliseconds);
                }

                walls[roundTrip] = Statistics.Median(times);
            }

            foreach (var roundTrip in RoundTrips)
            {
                growth[(regions, roundTrip)] = walls[roundTrip] - walls[0];
                suites[(regions, roundTrip)] = walls[roundTrip];
                Console.WriteLine($"distance  verify {regions} regions at {roundTrip,3} ms: suite median {walls[roundTrip]:0} ms (at 0 ms {walls[0]:0} ms); wall ÷ RTT {walls[roundTrip] / roundTrip:0.0}; round trips added {(walls[roundTrip] - walls[0]) / roundTrip:0.0}");
            }
        }

        foreach (var roundTrip in RoundTrips)
        {
            Console.WriteLine($"distance  verify at {roundTrip,3} ms: 3 regions ÷ 2 regions, suite {suites[(3, roundTrip)] / suites[(2, roundTrip)]:0.00}×, time added by distance {growth[(3, roundTrip)] / growth[(2, roundTrip)]:0.00}×");
        }
    }

    /// <summary>The time from healing a 30 s partition between the primary and a replica until the replica streams again, at 80 ms.</summary>
    public static async Task PartitionAsync(int runs, Func<int, SandboxOptions> options)
    {
        await using var sandbox = await LocalSandbox.UpAsync(options(2) with { RoundTrip = TimeSpan.FromMilliseconds(80) });
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
            await Task.Delay(TimeSpan.FromSeconds(30));
            var healed = Stopwatch.StartNew();
            sandbox.ChangeLink("eu", "us", link => link.Healed());
            await using var replica = await AdministratorAsync(sandbox, "us");
            while (!await ScalarAsync<bool>(replica, "SELECT coalesce(bool_or(status = 'streaming'), false) FROM pg_stat_wal_receiver"))
            {
                await Task.Delay(20);
            }

            times.Add(healed.Elapsed.TotalSeconds);
        }

        Console.WriteLine($"distance  partition of 30 s at 80 ms, healed → streaming again: median {Statistics.Median(times):0.00} s (min {times.Min():0.00}, max {times.Max():0.00}) over {runs} runs");
    }

    /// <summary>
    /// Commit-to-visible lag at 80 ms: a row a second is committed on the primary (through the client's link) while
    /// the replica is read every 20 ms (through its own); a row's lag is the time from its commit's acknowledgement to
    /// the first read that shows it, both ends seen across links of the same round trip.
    /// </summary>
    public static async Task LagAsync(string mode, SandboxOptions sandboxOptions, int rows)
    {
        await using var sandbox = await LocalSandbox.UpAsync(sandboxOptions with { RoundTrip = TimeSpan.FromMilliseconds(80) });
        await using var primary = await AdministratorAsync(sandbox, "eu", "app");
        await using var replica = await AdministratorAsync(sandbox, "us", "app");
        await ScalarAsync<int>(primary, "CREATE TABLE lag_probe (id int PRIMARY KEY); SELECT 1");
        var acknowledged = new Dictionary<int, TimeSpan>();
        var seen = new Dictionary<int, TimeSpan>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                _ = await Polling.UnlessTableMissingAsync(async () =>
                {
                    var latest = await ScalarAsync<int?>(replica, "SELECT max(id) FROM lag_probe") ?? 0;
                    for (var id = seen.Count + 1; id <= latest; id++)
                    {
                        seen[id] = clock.Elapsed;
                    }

                    return true;
                });
                await Task.Delay(20);
            }
        });

        for (var id = 1; id <= rows; id++)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO lag_probe VALUES ($1)", primary) { Parameters = { new() { Value = id } } };
            await insert.ExecuteNonQueryAsync();
            acknowledged[id] = clock.Elapsed;
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        var deadline = clock.Elapsed + TimeSpan.FromMinutes(6);
        while (seen.Count < rows && clock.Elapsed < deadline)
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await reading;
        var lags = acknowledged.Where(a => seen.ContainsKey(a.Key)).Select(a => (seen[a.Key] - a.Value).TotalMilliseconds).ToList();
        Console.WriteLine($"distance  lag {mode,-22} at 80 ms, {rows} rows 1 s apart: commit-to-visible p50 {Statistics.Percentile(lags, 50):0} ms, p99 {Statistics.Percentile(lags, 99):0} ms, max {lags.DefaultIfEmpty().Max():0} ms; {rows - lags.Count} rows never seen within 6 min");
    }

    private static void SetEveryLink(RunningSandbox sandbox, TimeSpan roundTrip)
    {
        foreach (var link in sandbox.State.Links.Links)
        {
            sandbox.ChangeLink(link.A, link.B, l => l with { RoundTrip = roundTrip });
        }
    }

    private static async Task<NpgsqlConnection> AdministratorAsync(RunningSandbox sandbox, string region, string database = "postgres")
    {
        var identity = ClientIdentity.FromPem("postgres", File.ReadAllText(sandbox.Administrator.CertificatePath), File.ReadAllText(sandbox.Administrator.KeyPath));
        var outputs = sandbox.Outputs;
        return await new Connector(Connector.TrustAnchors(outputs.RootCaCertificate), database, TimeSpan.FromSeconds(10))
            .OpenAsync(ConnectionTarget.Instance(outputs.Regions.Single(r => r.Name == region)), identity, CancellationToken.None);
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }
}
