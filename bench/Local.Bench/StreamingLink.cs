using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

/// <summary>
/// Watches the primary's walsenders every 20 ms over one verify session (opened before anything changes, so a
/// rotation does not touch it) and adds up the time some replica was not streaming.
/// </summary>
internal sealed class StreamingLink : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private readonly NpgsqlConnection _connection;
    private readonly int _replicas;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _downTicks;

    private StreamingLink(NpgsqlConnection connection, int replicas)
    {
        _connection = connection;
        _replicas = replicas;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Time some replica had no streaming walsender, so far.</summary>
    public TimeSpan Down => TimeSpan.FromTicks(Interlocked.Read(ref _downTicks));

    public static async Task<StreamingLink> WatchAsync(RunningSandbox sandbox) =>
        new(await OpenAsync(sandbox), sandbox.State.Regions.Count - 1);

    /// <summary>Waits until every replica has a streaming walsender on the primary.</summary>
    /// <exception cref="TimeoutException">They did not within <paramref name="limit"/>.</exception>
    public static async Task UntilStreamingAsync(RunningSandbox sandbox, TimeSpan limit)
    {
        await using var connection = await OpenAsync(sandbox);
        var deadline = DateTime.UtcNow + limit;
        while (await StreamingAsync(connection) < sandbox.State.Regions.Count - 1)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not every replica streamed within {limit.TotalSeconds:0} s");
            }

            await Task.Delay(Interval);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _connection.DisposeAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        var clock = Stopwatch.StartNew();
        var last = clock.Elapsed;
        while (!_stop.IsCancellationRequested)
        {
            var streaming = await StreamingAsync(_connection);
            var now = clock.Elapsed;
            if (streaming < _replicas)
            {
                Interlocked.Add(ref _downTicks, (now - last).Ticks);
            }

            last = now;
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // The primary's verify session, as the suite opens it.
    private static async Task<NpgsqlConnection> OpenAsync(RunningSandbox sandbox)
    {
        var outputs = sandbox.Outputs;
        var primary = outputs.Regions.Single(r => r.Role == RegionRole.Primary);
        using var identity = ClientIdentity.For(outputs, primary, ClientNames.Verify);
        return await new Connector(Connector.TrustAnchors(outputs.RootCaCertificate), outputs.Database, TimeSpan.FromSeconds(5))
            .OpenAsync(ConnectionTarget.Instance(primary), identity, CancellationToken.None);
    }

    private static async Task<long> StreamingAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_catalog.pg_stat_replication WHERE state = 'streaming'", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
