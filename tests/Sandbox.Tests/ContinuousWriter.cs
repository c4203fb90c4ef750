using System.Diagnostics;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Sandbox;

/// <summary>
/// An application writing rows as fast as it can through a region's pooler with that region's app certificate; when
/// a write fails it tries the next region's pooler, as a client whose primary moved would. Every row it reports
/// acknowledged was committed by a server.
/// </summary>
internal sealed class ContinuousWriter : IAsyncDisposable
{
    public const string Table = "writer_probe";

    private readonly Connections _connections;
    private readonly IReadOnlyList<string> _regions;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Acknowledged> _acknowledged = [];
    private readonly Task _loop;

    private ContinuousWriter(Connections connections, IReadOnlyList<string> regions, string first)
    {
        _connections = connections;
        _regions = regions;
        _loop = Task.Run(() => LoopAsync(first));
    }

    /// <summary>Rows acknowledged so far.</summary>
    public IReadOnlyList<Acknowledged> Rows
    {
        get
        {
            lock (_acknowledged)
            {
                return [.. _acknowledged];
            }
        }
    }

    /// <summary>Creates the table on the primary and starts writing through its pooler.</summary>
    public static async Task<ContinuousWriter> StartAsync(RunningSandbox sandbox, Connections connections)
    {
        var primary = sandbox.State.PrimaryRegion;
        await using (var connection = await connections.OpenAsync(ConnectionTarget.Pooler(connections.Region(primary)), primary, "app"))
        {
            await using var create = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {Table} (id bigint PRIMARY KEY, region text NOT NULL)", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new ContinuousWriter(connections, sandbox.State.Regions.Select(r => r.Name).ToList(), primary);
    }

    /// <summary>Waits until at least <paramref name="count"/> more rows are acknowledged by <paramref name="region"/>.</summary>
    public async Task UntilAcknowledgedAsync(string region, int count, TimeSpan limit)
    {
        var start = Rows.Count(r => r.Region == region);
        var deadline = DateTime.UtcNow + limit;
        while (Rows.Count(r => r.Region == region) < start + count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the writer had {Rows.Count(r => r.Region == region) - start} more rows acknowledged by {region}, not {count}, after {limit.TotalSeconds} s");
            await Task.Delay(20);
        }
    }

    /// <summary>Stops writing.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private async Task LoopAsync(string first)
    {
        var clock = Stopwatch.StartNew();
        var region = first;
        NpgsqlConnection? connection = null;
        for (long id = 1; !_stop.IsCancellationRequested;)
        {
            try
            {
                connection ??= await _connections.OpenAsync(ConnectionTarget.Pooler(_connections.Region(region)), region, "app");
                await using var insert = new NpgsqlCommand($"INSERT INTO {Table} (id, region) VALUES ($1, $2)", connection) { Parameters = { new() { Value = id }, new() { Value = region } } };
                await insert.ExecuteNonQueryAsync();
                lock (_acknowledged)
                {
                    _acknowledged.Add(new Acknowledged(id, region, clock.Elapsed));
                }

                id++;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // A commit whose acknowledgement was lost on the way: the row is there.
                lock (_acknowledged)
                {
                    _acknowledged.Add(new Acknowledged(id, region, clock.Elapsed));
                }

                id++;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
            {
                // Not acknowledged, so this id is tried again: a row counts only once a server committed it.
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                    connection = null;
                }

                region = _regions[(_regions.ToList().IndexOf(region) + 1) % _regions.Count];
                await Task.Delay(5);
            }
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>A row a server committed.</summary>
    /// <param name="Id">Its key.</param>
    /// <param name="Region">Whose pooler took it.</param>
    /// <param name="At">When it was acknowledged, from the writer's start.</param>
    public sealed record Acknowledged(long Id, string Region, TimeSpan At);
}
