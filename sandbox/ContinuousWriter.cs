using System.Diagnostics;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// An application writing rows as fast as it can through a region's pooler with that region's app certificate; when
/// a write fails it tries the next region's pooler, as a client whose primary moved would. Or, through the stable
/// writable endpoint (<c>pg-writer</c>), as an application that never changes its connection string: it retries there.
/// Every row it reports acknowledged was committed by a server. For switchover and failover drills: what an
/// application sees.
/// </summary>
public sealed class ContinuousWriter : IAsyncDisposable
{
    /// <summary>The table it writes, in the application database.</summary>
    public const string Table = "writer_probe";

    private readonly RunningSandbox _sandbox;
    private readonly TimeSpan _interval;
    private readonly List<string> _regions;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Acknowledged> _acknowledged = [];
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly bool _throughWriter;

    private ContinuousWriter(RunningSandbox sandbox, TimeSpan interval, string first, bool throughWriter)
    {
        _sandbox = sandbox;
        _interval = interval;
        _throughWriter = throughWriter;
        _regions = [.. sandbox.State.Regions.Select(r => r.Name)];
        _loop = Task.Run(() => LoopAsync(first));
    }

    /// <summary>Time since the writer started, on the clock of <see cref="Acknowledged.At"/>.</summary>
    public TimeSpan Elapsed => _clock.Elapsed;

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

    /// <summary>
    /// Creates the table on the primary and starts writing through its pooler, or through <c>pg-writer</c> when
    /// <paramref name="throughWriter"/>, a row each <paramref name="interval"/> (zero: as fast as the round trip allows).
    /// </summary>
    public static async Task<ContinuousWriter> StartAsync(RunningSandbox sandbox, TimeSpan interval = default, bool throughWriter = false)
    {
        var primary = sandbox.State.PrimaryRegion;
        if (throughWriter && sandbox.Outputs.Writer is null)
        {
            throw new SandboxException("the sandbox's outputs have no pg-writer endpoint: its state predates it; recreate it with `sandbox down` and `sandbox up`.");
        }

        // Setting up is not the measurement: the table is made within a limit a loaded machine keeps (the writer's 1 s
        // limit failed this first login once, in the TLS negotiation, with three regions' servers just started).
        await using (var connection = await ApplicationConnection.OpenAsync(sandbox.Outputs, primary, EndpointKind.Pooler, SetupLimit))
        {
            await using var create = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {Table} (id bigint PRIMARY KEY, region text NOT NULL)", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new ContinuousWriter(sandbox, interval, primary, throughWriter);
    }

    /// <summary>The ids of the rows <paramref name="region"/>'s instance holds, read as the application.</summary>
    public async Task<IReadOnlySet<long>> RowsOnAsync(string region)
    {
        await using var connection = await OpenAsync(_sandbox, region, EndpointKind.Instance);
        await using var command = new NpgsqlCommand($"SELECT id FROM {Table}", connection);
        var ids = new HashSet<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>Waits until at least <paramref name="count"/> more rows are acknowledged by <paramref name="region"/>.</summary>
    /// <exception cref="TimeoutException">They were not within <paramref name="limit"/>.</exception>
    public async Task UntilAcknowledgedAsync(string region, int count, TimeSpan limit)
    {
        var start = Rows.Count(r => r.Region == region);
        var deadline = DateTime.UtcNow + limit;
        while (Rows.Count(r => r.Region == region) < start + count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the writer had {Rows.Count(r => r.Region == region) - start} more rows acknowledged by {region}, not {count}, after {limit.TotalSeconds} s");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Stops writing.</summary>
    public async ValueTask DisposeAsync()
    {
        // Stopping twice (a drill that stops it before its scope ends) stops it once.
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    private int _stopped;

    private async Task LoopAsync(string first)
    {
        var region = first;
        NpgsqlConnection? connection = null;
        for (long id = 1; !_stop.IsCancellationRequested;)
        {
            try
            {
                connection ??= _throughWriter ? await OpenWriterAsync() : await OpenAsync(_sandbox, region, EndpointKind.Pooler);
                // The region that took the row, as the server says: through pg-writer, the client cannot know it.
                await using var insert = new NpgsqlCommand(
                    $"INSERT INTO {Table} (id, region) VALUES ($1, $2) RETURNING current_setting('cluster_name')", connection) { Parameters = { new() { Value = id }, new() { Value = region } } };
                var cluster = (string)(await insert.ExecuteScalarAsync())!;
                region = _regions.Single(r => LocalSandbox.Names(r).Cluster == cluster);
                Acknowledge(id++, region);
                if (_interval > TimeSpan.Zero)
                {
                    await Task.Delay(_interval);
                }
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                // A commit whose acknowledgement was lost on the way: the row is there.
                Acknowledge(id++, region);
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException or System.Security.Authentication.AuthenticationException)
            {
                // Not acknowledged, so this id is tried again: a row counts only once a server committed it.
                if (connection is not null)
                {
                    await connection.DisposeAsync();
                    connection = null;
                }

                // Through pg-writer the connection string stays; else the next region's pooler is tried.
                region = _throughWriter ? region : _regions[(_regions.IndexOf(region) + 1) % _regions.Count];
                await Task.Delay(5);
            }
        }

        if (connection is not null)
        {
            await connection.DisposeAsync();
        }
    }

    private void Acknowledge(long id, string region)
    {
        lock (_acknowledged)
        {
            _acknowledged.Add(new Acknowledged(id, region, _clock.Elapsed));
        }
    }

    private static readonly TimeSpan SetupLimit = TimeSpan.FromSeconds(10);

    // The application of the region dialled, as a client there would connect. A short limit: a pooler whose backend is
    // gone keeps a login waiting on its auth query, and a client that waited long there would measure its own
    // patience, not the switchover.
    private static Task<NpgsqlConnection> OpenAsync(RunningSandbox sandbox, string region, EndpointKind kind) =>
        ApplicationConnection.OpenAsync(sandbox.Outputs, region, kind, TimeSpan.FromSeconds(1));

    // pg-writer as the outputs' client reaches it, with the last region's app certificate: the name, the port and the
    // certificate an application there keeps whichever region takes writes.
    private Task<NpgsqlConnection> OpenWriterAsync()
    {
        var outputs = _sandbox.Outputs;
        return ApplicationConnection.OpenAsync(outputs, _regions[^1], new ConnectionTarget(_regions[^1], EndpointKind.Pooler, outputs.Writer!), TimeSpan.FromSeconds(1));
    }

    /// <summary>A row a server committed.</summary>
    /// <param name="Id">Its key.</param>
    /// <param name="Region">Whose pooler took it.</param>
    /// <param name="At">When it was acknowledged, from the writer's start.</param>
    public sealed record Acknowledged(long Id, string Region, TimeSpan At);
}
