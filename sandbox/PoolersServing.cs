using System.Diagnostics;
using System.Globalization;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// A drill's last step: it returns once every running region's PgBouncer serves a query again, so that verify passes
/// right after it, or says which does not. A pooler whose PostgreSQL restarted, was promoted or was started again
/// refuses logins until its next server login succeeds (PgBouncer src/objects.c check_fast_fail, server_login_retry),
/// and a PgBouncer started before its PostgreSQL accepted connections has none yet. Nothing here changes a server:
/// it is a client waiting, as an operator would before calling the drill done.
/// </summary>
internal static class PoolersServing
{
    /// <summary>How long a drill waits for its poolers before it says which does not serve.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Attempt = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits, at most <paramref name="limit"/>, for the poolers of <paramref name="regions"/>; returns, per pooler that never served, why.</summary>
    public static async Task<IReadOnlyList<string>> WaitAsync(TopologyOutputs outputs, IEnumerable<SandboxRegion> regions, TimeSpan limit, IProgress<string> progress, CancellationToken cancellationToken)
    {
        var waits = regions.Select(region => WaitAsync(outputs, region, limit, progress, cancellationToken)).ToList();
        return [.. (await Task.WhenAll(waits)).OfType<string>()];
    }

    private static async Task<string?> WaitAsync(TopologyOutputs outputs, SandboxRegion region, TimeSpan limit, IProgress<string> progress, CancellationToken cancellationToken)
    {
        // To its own port, not across the client's link: a partition or a delay the drill set there is the drill's
        // to report, not a pooler that does not serve.
        var endpoint = outputs.Regions.Single(r => r.Name == region.Name);
        var direct = new ConnectionTarget(region.Name, EndpointKind.Pooler, endpoint.Pooler with { Port = region.PoolerPort });
        var waited = Stopwatch.StartNew();
        string? refused = null;
        while (true)
        {
            try
            {
                await using var connection = await ApplicationConnection.OpenAsync(outputs, region.Name, direct, Attempt, cancellationToken);
                await using var query = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)Attempt.TotalSeconds };
                await query.ExecuteScalarAsync(cancellationToken);
                if (refused is not null)
                {
                    progress.Report(string.Create(CultureInfo.InvariantCulture, $"{endpoint.Pooler.ServerName} serves again after {waited.Elapsed.TotalSeconds:0.0} s (it had answered: {refused})"));
                }

                return null;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                refused = e.Message;
            }

            if (waited.Elapsed + Pause >= limit)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{endpoint.Pooler.ServerName} ({SandboxTopology.Address}:{region.PoolerPort}) does not serve after {limit.TotalSeconds:0} s: {refused}");
            }

            await Task.Delay(Pause, cancellationToken);
        }
    }
}
