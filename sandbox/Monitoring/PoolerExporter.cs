using System.Diagnostics;
using System.Globalization;
using CliWrap.Buffered;
using CrossClusterIac.Topology.Cnpg.Monitoring;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// A region's pooler exporter, as CNPG's pooler manager runs it (pkg/management/pgbouncer/metricsserver): at each scrape
/// <c>SHOW LISTS</c>, <c>SHOW POOLS</c> and <c>SHOW STATS</c> on PgBouncer's admin console, as the admin user
/// <c>pgbouncer</c> over the Unix socket in the pod's <c>/controller/run</c> (pgbouncer_collector.go ConnectionPool), which
/// PgBouncer admits without a password when the client runs as PgBouncer's own account (PgBouncer's usage docs, "Admin
/// console"). The console speaks only the simple query protocol, so the commands go through <c>psql</c> as CNPG's go
/// through lib/pq's simple queries.
/// </summary>
internal sealed class PoolerExporter(SandboxRegion region, ServerBinaries binaries, ServerUser user)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private long _collections;

    // Printed between the commands' results, which psql prints one after another.
    private const string Separator = "--crosscluster-next--";

    /// <summary>The series of one scrape.</summary>
    public async Task<IReadOnlyList<MetricSample>> ScrapeAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var results = await ShowAsync(cancellationToken);
        AdminResult At(int i) => i < results.Count ? results[i] : AdminResult.Failure;
        return PgBouncerSeries.From(At(0), At(1), At(2), Interlocked.Increment(ref _collections), clock.Elapsed.TotalSeconds);
    }

    // SHOW LISTS, POOLS and STATS in one session, as CNPG's collector runs them one after another on its connection;
    // psql stops at the first that fails (ON_ERROR_STOP), leaving the rest failed too.
    private async Task<IReadOnlyList<AdminResult>> ShowAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var result = await user.Command(binaries.Postgres("psql"),
            [
                "-X", "-A", "-F", "\t", "-P", "footer=off", "-v", "ON_ERROR_STOP=1",
                "-h", region.Layout.Controller.SocketDirectory, "-p", region.PoolerPort.ToString(CultureInfo.InvariantCulture),
                "-U", "pgbouncer", "-d", "pgbouncer",
                "-c", "SHOW LISTS", "-c", $"\\echo {Separator}", "-c", "SHOW POOLS", "-c", $"\\echo {Separator}", "-c", "SHOW STATS",
            ]).WithEnvironmentVariables(e => e.Set("PGCONNECT_TIMEOUT", "2")).ExecuteBufferedAsync(timeout.Token);
            return [.. result.StandardOutput.Split(Separator).Select(Table)];
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return [];
        }
    }

    private static AdminResult Table(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return lines.Length == 0
            ? AdminResult.Failure
            : new AdminResult(lines[0].Split('\t'), [.. lines.Skip(1).Select(l => (IReadOnlyList<string>)l.Split('\t'))]);
    }
}
