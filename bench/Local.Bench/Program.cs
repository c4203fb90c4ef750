using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;

// A rerunnable timing harness for the local data path: how long the sandbox takes to come up, how long verify
// takes on it, what an application writing at a steady rate sees of a switchover and a failover, and what clients
// opening connections and the streaming link see of a certificate rotation of each tier.
// The distance mode places regions a round trip apart through the sandbox's links (see Distance.cs).
// failover-partition cuts the eu–us link once the replica streams, lets the writer go on on eu for 100 rows, then fails
// over: acknowledged rows are lost, and the report's count of them is set against the rows really missing.
// kill-sweep SIGKILLs each drill (switchover, failover, rotate per tier, start, rejoin) at N instants spread evenly over
// an unkilled run's duration, runs it again at once and checks the end state and verify (see KillSweep); runs = N.
// side-by-side builds an older commit (default b71c225) in a temporary git worktree and prints its verify figures and the
// working tree's, and their ratio, from one run (see SideBySide); run it with `dotnet run` so that the working tree is built
// first: dotnet run --project bench/Local.Bench -c Release -- side-by-side [commit] [rounds] [runs].
// alerts runs each fault on the sandbox's real Prometheus (time to the alert pending), switchovers (no alert may fire in
// their window), then a healthy run of MINUTES (default 10) in each replication mode, counting the alerts held (see
// Alerts.cs); alerts-switchover runs the switchovers alone.
// verify-stress runs verify as a child process RUNS times (default 200) while the sandbox's servers are stopped, started,
// frozen or crashed before or during the run, or verify is interrupted, and counts unhandled exceptions, exit statuses
// other than 0, 1, 2, 130 and 143, and runs that never end (see VerifyStress.cs).
// Usage: local-bench [bringup|verify|switchover|failover|failover-partition|rotate|distance|kill-sweep|alerts|alerts-switchover|verify-stress|all] [runs] [minutes]. Figures are medians over the runs.
var what = args.Length > 0 ? args[0] : "all";
if (what == "side-by-side")
{
    return await SideBySide.RunAsync(
        args.Length > 1 ? args[1] : SideBySide.DefaultCommit,
        args.Length > 2 && int.TryParse(args[2], out var rounds) && rounds > 0 ? rounds : 3,
        args.Length > 3 && int.TryParse(args[3], out var perRound) && perRound > 0 ? perRound : 5);
}

if (what == "verify-stress")
{
    return await CrossClusterIac.Bench.VerifyStress.RunAsync(args.Length > 1 && int.TryParse(args[1], out var stressRuns) && stressRuns > 0 ? stressRuns : 200);
}

var runs = args.Length > 1 && int.TryParse(args[1], out var n) && n > 0 ? n : 5;
var minutes = args.Length > 2 && double.TryParse(args[2], System.Globalization.CultureInfo.InvariantCulture, out var m) && m > 0 ? m : 10;
if (what is not ("bringup" or "verify" or "switchover" or "failover" or "failover-partition" or "rotate" or "distance" or "kill-sweep" or "alerts" or "alerts-switchover" or "all"))
{
    Console.Error.WriteLine("usage: local-bench [bringup|verify|switchover|failover|failover-partition|rotate|distance|kill-sweep|alerts|alerts-switchover|verify-stress|all] [runs] [minutes]");
    return 2;
}

Console.WriteLine($"# {Environment.ProcessorCount} cores, {runs} runs each, medians");
if (what is "bringup" or "all")
{
    foreach (var regions in new[] { 2, 3 })
    {
        var times = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var elapsed = Stopwatch.StartNew();
            var sandbox = await LocalSandbox.UpAsync(Options(regions));
            times.Add(elapsed.Elapsed.TotalSeconds);
            await sandbox.DisposeAsync();
        }

        Console.WriteLine($"bring-up  {regions} regions: median {Median(times):0.00} s (min {times.Min():0.00}, max {times.Max():0.00})");
    }
}

if (what is "verify" or "all")
{
    var suites = new Dictionary<int, double>();
    foreach (var regions in new[] { 2, 3 })
    {
        await using var sandbox = await LocalSandbox.UpAsync(Options(regions));
        await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions()); // warm-up: JIT and the probe table
        var walls = new List<double>();
        var overheads = new List<double>();
        var lags = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var report = await VerifyRunner.RunAsync(sandbox.Outputs, sandbox.VerifyOptions());
            if (!report.Passed)
            {
                Console.Error.WriteLine($"verify failed on a healthy sandbox: {string.Join("; ", report.Checks.Where(c => c.Status == CheckStatus.Failed).Select(c => $"{c.Name} {c.Region}: {c.Diagnosis}"))}");
                return 1;
            }

            walls.Add(report.Duration.TotalSeconds);
            foreach (var write in report.Checks.Where(c => c.Name == "write-visible"))
            {
                var lag = write.Metrics!["lagMs"];
                lags.Add(lag);
                overheads.Add(write.Duration.TotalMilliseconds - lag);
            }
        }

        suites[regions] = Median(walls);
        Console.WriteLine($"verify    {regions} regions: suite median {Median(walls):0.000} s; write-visible lag median {Median(lags):0.0} ms, check time beyond the lag median {Median(overheads):0.0} ms (amid the whole suite)");

        // The replication check alone: its cost beyond the lag it measures is two connections, an insert and a delete.
        var alone = new List<double>();
        await using var context = new CheckContext(sandbox.Outputs, new VerifyOptions());
        var writeVisible = CheckSuite.For(context).Where(c => c.Name == "write-visible").Take(1).ToList();
        for (var i = 0; i < runs; i++)
        {
            var result = (await CheckSuite.RunAsync(context, writeVisible, null, CancellationToken.None)).Single();
            alone.Add(result.Duration.TotalMilliseconds - result.Metrics!["lagMs"]);
        }

        Console.WriteLine($"verify    {regions} regions: write-visible alone, time beyond the lag median {Median(alone):0.0} ms");
    }

    Console.WriteLine($"verify    3 regions / 2 regions: {suites[3] / suites[2]:0.00}x");
}

// A writer at 100 rows/s through the primary's pooler, falling over to the next region's pooler when a write fails.
// Write-unavailability: from the last row the old primary acknowledged to the first the new one did.
var writeInterval = TimeSpan.FromMilliseconds(10);
// Twice: a writer that hops to the next region's pooler when a write fails (as a libpq multi-host string with
// target_session_attrs=read-write does), and one that keeps writing through pg-writer, whose connection string never
// changes. The longest gap is between two acknowledged writes around the drill, whatever took them.
if (what is "switchover" or "all")
{
    foreach (var throughWriter in new[] { false, true })
    {
        await using var sandbox = await LocalSandbox.UpAsync(Options(2));
        var writer = await ContinuousWriter.StartAsync(sandbox, writeInterval, throughWriter);
        var (gaps, longest) = (new List<double>(), new List<double>());
        await using (writer)
        {
            for (var i = 0; i < runs; i++)
            {
                var from = sandbox.State.PrimaryRegion;
                var to = sandbox.State.Regions.First(r => r.Name != from).Name;
                await writer.UntilAcknowledgedAsync(from, 50, TimeSpan.FromSeconds(30));
                var since = writer.Elapsed;
                await sandbox.SwitchoverAsync(to);
                await writer.UntilAcknowledgedAsync(to, 20, TimeSpan.FromSeconds(30));
                gaps.Add(Unavailability(writer.Rows, from, to, since));
                longest.Add(LongestGap(writer.Rows, since));
            }
        }

        var lost = writer.Rows.Select(r => r.Id).Except(await writer.RowsOnAsync(sandbox.State.PrimaryRegion)).Count();
        Console.WriteLine($"switchover 2 regions, writer at 100 rows/s {(throughWriter ? "through pg-writer" : "hopping poolers")}: write-unavailability median {Median(gaps) * 1000:0} ms (min {gaps.Min() * 1000:0}, max {gaps.Max() * 1000:0}); longest gap between acknowledged writes median {Median(longest) * 1000:0} ms, max {longest.Max() * 1000:0}; acknowledged rows lost {lost} of {writer.Rows.Count}");
    }

    // And psql (libpq), a connection per row, with a multi-host string over both poolers and target_session_attrs=read-write.
    await using (var sandbox = await LocalSandbox.UpAsync(Options(2)))
    {
        var libpq = await LibpqWriter.StartAsync(sandbox.Outputs, "us", writeInterval);
        var longest = new List<double>();
        int lost, acknowledged;
        Dictionary<string, int> refusals;
        try
        {
            for (var i = 0; i < runs; i++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var since = libpq.Elapsed;
                await sandbox.SwitchoverAsync(sandbox.State.Regions.First(r => r.Name != sandbox.State.PrimaryRegion).Name);
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
                while (libpq.Rows.Count(r => r.At > since) < 20 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }

                longest.Add(LongestGap(libpq.Rows, since));
            }
        }
        finally
        {
            acknowledged = libpq.Rows.Count;
            refusals = libpq.Refusals;
            lost = libpq.Rows.Select(r => r.Id).Except(await libpq.RowsAsync()).Count();
            await libpq.DisposeAsync();
        }

        Console.WriteLine($"switchover 2 regions, psql (libpq) a connection per row, multi-host read-write: longest gap between acknowledged writes median {Median(longest) * 1000:0} ms, max {longest.Max() * 1000:0} (a drill's window ends 30 s after it); acknowledged rows lost {lost} of {acknowledged}; refused writes: {string.Join("; ", refusals.OrderByDescending(r => r.Value).Select(r => $"{r.Value} × {r.Key}"))}");
    }
}

foreach (var (partitioned, throughWriter) in new[] { (false, false), (false, true), (true, false) })
{
    if (!(partitioned ? what is "failover-partition" or "all" : what is "failover" or "all"))
    {
        continue;
    }

    var (gaps, longest) = (new List<double>(), new List<double>());
    var losses = new List<string>();
    for (var i = 0; i < runs; i++)
    {
        await using var sandbox = await LocalSandbox.UpAsync(Options(2));
        var writer = await ContinuousWriter.StartAsync(sandbox, writeInterval, throughWriter);
        TimeSpan since;
        PrimaryChangeReport report;
        await using (writer)
        {
            await writer.UntilAcknowledgedAsync("eu", 50, TimeSpan.FromSeconds(30));
            if (partitioned)
            {
                // Cut once the replica streams: a cut during its replication handshake leaves both ends waiting.
                await StreamingLink.UntilStreamingAsync(sandbox, TimeSpan.FromSeconds(30));
                sandbox.ChangeLink("eu", "us", link => link.Cut(DateTimeOffset.UtcNow));
                await writer.UntilAcknowledgedAsync("eu", 100, TimeSpan.FromSeconds(30));
            }

            since = writer.Elapsed;
            report = await sandbox.FailoverAsync("us");
            await writer.UntilAcknowledgedAsync("us", 20, TimeSpan.FromSeconds(30));
        }

        gaps.Add(Unavailability(writer.Rows, "eu", "us", since));
        longest.Add(LongestGap(writer.Rows, since));
        var lost = writer.Rows.Where(r => r.Region == "eu").Select(r => r.Id).Except(await writer.RowsOnAsync("us")).Count();
        losses.Add($"{lost} (reported {report.CommitsLost?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} commits, {report.BytesMaybeLost?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} B)");
    }

    Console.WriteLine($"failover   2 regions{(partitioned ? ", eu–us cut 100 rows before" : string.Empty)}, writer at 100 rows/s {(throughWriter ? "through pg-writer" : "hopping poolers")}: time to writable median {Median(gaps) * 1000:0} ms (min {gaps.Min() * 1000:0}, max {gaps.Max() * 1000:0}); longest gap between acknowledged writes median {Median(longest) * 1000:0} ms, max {longest.Max() * 1000:0}; acknowledged rows lost per run {string.Join(", ", losses)}");
}

if (what is "rotate" or "all")
{
    foreach (var tier in new[] { CertificateTier.Leaf, CertificateTier.Intermediate, CertificateTier.Root })
    {
        var (attempts, failures, linkDown, walls, lost) = (new List<double>(), 0, new List<double>(), new List<double>(), 0);
        for (var i = 0; i < runs; i++)
        {
            await using var sandbox = await LocalSandbox.UpAsync(Options(2));
            var writer = await ContinuousWriter.StartAsync(sandbox, writeInterval);
            await using (writer)
            {
                await using var link = await StreamingLink.WatchAsync(sandbox);
                var churn = ConnectionChurn.Start(sandbox);
                await using (churn)
                {
                    await churn.UntilMoreAttemptsAsync(20, TimeSpan.FromSeconds(30));
                    var (before, failedBefore) = (churn.Attempts, churn.Failures.Count);
                    var wall = Stopwatch.StartNew();
                    await sandbox.RotateAsync(tier);
                    walls.Add(wall.Elapsed.TotalSeconds);
                    attempts.Add(churn.Attempts - before);
                    failures += churn.Failures.Count - failedBefore;
                }

                linkDown.Add(link.Down.TotalSeconds);
            }

            lost += writer.Rows.Select(r => r.Id).Except(await writer.RowsOnAsync("us")).Count();
        }

        Console.WriteLine($"rotate {tier.ToString().ToLowerInvariant(),-12} 2 regions, churn through both poolers, writer at 100 rows/s: rotation median {Median(walls):0.00} s; connections attempted during it median {Median(attempts):0}, failed {failures} in all; streaming link down median {Median(linkDown) * 1000:0} ms (max {linkDown.Max() * 1000:0}); acknowledged rows lost {lost}");
    }
}

if (what is "alerts" or "all")
{
    await Alerts.FaultsAsync(runs, Options);
    await Alerts.SwitchoverWindowAsync(runs, Options);
    await Alerts.HealthyAsync(TimeSpan.FromMinutes(minutes), Options);
}
else if (what is "alerts-switchover")
{
    await Alerts.SwitchoverWindowAsync(runs, Options);
}

if (what is "distance" or "all")
{
    await Distance.VerifyAsync(runs, Options);
    await Distance.LagAsync("streaming", Options(2), 60);
    await Distance.LagAsync("archive-only, 10 s", Options(2) with { Replication = new() { Mode = ReplicationMode.Archive, ArchiveTimeout = "10s" } }, 60);
    await Distance.PartitionAsync(Math.Min(runs, 3), Options);
}

if (what is "kill-sweep" or "all")
{
    await using var sandbox = await LocalSandbox.UpAsync(Options(2));
    var executable = Path.Combine(AppContext.BaseDirectory, "sandbox");
    foreach (var drill in KillSweep.Drills)
    {
        TimeSpan duration;
        try
        {
            duration = await KillSweep.MeasureAsync(executable, sandbox.Directory, drill);
        }
        catch (SandboxException e)
        {
            Console.WriteLine($"kill-sweep {drill.Name,-19} not swept: its unkilled run or preparation failed: {e.Message.ReplaceLineEndings(" ")}");
            continue;
        }

        var outcomes = new List<KillOutcome>();
        var unprepared = new List<string>();
        // Through a primary change killed and run again, an application writing through pg-writer: the longest gap
        // between two of its acknowledged writes from the kill's start to the rerun's end, per instant.
        // Attached afresh: the drills ran as other processes, and this process's view of the state is from before them.
        var writer = drill.Name is "switchover" or "failover" ? await ContinuousWriter.StartAsync(LocalSandbox.Attach(sandbox.Directory), writeInterval, throughWriter: true) : null;
        var gaps = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            // The unkilled steps around a kill (a region stopped or rejoined, a failover for a rejoin) may fail too:
            // said, and the sweep goes on.
            try
            {
                var since = writer?.Elapsed ?? TimeSpan.Zero;
                outcomes.Add(await KillSweep.KillAndRerunAsync(executable, sandbox.Directory, drill, duration * ((i + 0.5) / runs)));
                if (writer is not null)
                {
                    gaps.Add(LongestGap(writer.Rows, since));
                }
            }
            catch (SandboxException e)
            {
                unprepared.Add(e.Message.ReplaceLineEndings(" "));
            }
        }

        if (writer is not null)
        {
            await writer.DisposeAsync();
            var lost = drill.Name == "switchover" ? writer.Rows.Select(r => r.Id).Except(await writer.RowsOnAsync(LocalSandbox.Attach(sandbox.Directory).State.PrimaryRegion)).Count() : (int?)null;
            Console.WriteLine($"kill-sweep {drill.Name,-19} writer through pg-writer at 100 rows/s: longest gap between acknowledged writes around a killed-and-rerun drill median {Median(gaps) * 1000:0} ms, max {gaps.DefaultIfEmpty(0).Max() * 1000:0}{(lost is { } l ? $"; acknowledged rows lost {l} of {writer.Rows.Count}" : string.Empty)}");
        }

        var exits = string.Join(", ", outcomes.GroupBy(o => o.RerunExitCode).OrderBy(g => g.Key).Select(g => $"exit {g.Key}: {g.Count()}"));
        Console.WriteLine($"kill-sweep {drill.Name,-19} unkilled {duration.TotalSeconds:0.00} s; {runs} instants, {outcomes.Count(o => o.KillLanded)} kills landed; reruns completed {outcomes.Count(o => o.Completed)}; reruns {exits}; unhandled {outcomes.Count(o => o.Unhandled)}");
        foreach (var problem in unprepared)
        {
            Console.WriteLine($"  an unkilled step around a kill failed: {problem}");
        }

        foreach (var outcome in outcomes.Where(o => !o.Completed))
        {
            Console.WriteLine($"  killed at {outcome.KilledAfter.TotalMilliseconds:0} ms: rerun exit {outcome.RerunExitCode} {outcome.RerunMessage}{(outcome.EndStateProblem is { } p ? $"; end state: {p}" : string.Empty)}{(outcome.VerifyFailure is { } v ? $"; verify: {(v.Length <= 300 ? v : v[..300] + "…")}" : string.Empty)}");
        }
    }
}

return 0;

static SandboxOptions Options(int regions) => new()
{
    Directory = Path.Combine(Path.GetTempPath(), $"crosscluster-bench-{Guid.NewGuid():N}"),
    Regions = new[] { "eu", "us", "ap" }[..regions],
};

static double Median(List<double> values) => Statistics.Median(values);

// The longest time without an acknowledged write from since on (the last row before it counts as its start), up to
// the last row: called once writes go on again after the drill.
static double LongestGap(IReadOnlyList<ContinuousWriter.Acknowledged> rows, TimeSpan since)
{
    var times = rows.Where(r => r.At >= since).Select(r => r.At).Order().ToList();
    var previous = rows.Where(r => r.At < since).Select(r => r.At).DefaultIfEmpty(since).Max();
    return times.Count == 0 ? double.NaN : times.Prepend(previous).Zip(times, (a, b) => (b - a).TotalSeconds).Max();
}

static double Unavailability(IReadOnlyList<ContinuousWriter.Acknowledged> rows, string from, string to, TimeSpan since)
{
    var first = rows.Where(r => r.Region == to && r.At >= since).Min(r => r.At);
    return (first - rows.Where(r => r.Region == from && r.At < first).Max(r => r.At)).TotalSeconds;
}
