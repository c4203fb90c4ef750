using System.Diagnostics;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Applications opening new mTLS connections one after another through every region's pooler, each logging in with
/// the app certificate of the region dialled and running a query on a server connection, so every attempt is a new
/// client handshake with PgBouncer and, whenever PgBouncer opens one, a new handshake with PostgreSQL. Every other
/// attempt uses the outputs as they were before their last change: a client whose mounted Secrets lag an update
/// behind. For rotation drills: what clients see while certificates change.
/// </summary>
public sealed class ConnectionChurn : IAsyncDisposable
{
    private readonly RunningSandbox _sandbox;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _failures = [];
    private readonly Dictionary<string, string> _backendSerials = new(StringComparer.Ordinal);
    private readonly Task[] _loops;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _lock = new();
    private string _current;
    private string? _previous;
    private int _attempts;

    private ConnectionChurn(RunningSandbox sandbox)
    {
        _sandbox = sandbox;
        _current = File.ReadAllText(sandbox.OutputsPath);
        _loops = [.. sandbox.State.Regions.Select(r => Task.Run(() => LoopAsync(r.Name)))];
    }

    /// <summary>Connections attempted so far.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Each failed attempt: when, where, with which outputs, and why.</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            lock (_lock)
            {
                return [.. _failures];
            }
        }
    }

    /// <summary>
    /// The serial (decimal, as <c>pg_stat_ssl.client_serial</c> shows it) of the certificate PgBouncer presented to
    /// PostgreSQL on the server connection of each region's latest successful attempt.
    /// </summary>
    public IReadOnlyDictionary<string, string> BackendSerials
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, string>(_backendSerials, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>Starts a loop per region.</summary>
    public static ConnectionChurn Start(RunningSandbox sandbox) => new(sandbox);

    /// <summary>Waits until <paramref name="count"/> more attempts were made.</summary>
    /// <exception cref="TimeoutException">They were not within <paramref name="limit"/>.</exception>
    public async Task UntilMoreAttemptsAsync(int count, TimeSpan limit)
    {
        var target = Attempts + count;
        var deadline = DateTime.UtcNow + limit;
        while (Attempts < target)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the churn made {Attempts - target + count} attempts, not {count}, in {limit.TotalSeconds} s");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Stops the loops.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    private async Task LoopAsync(string region)
    {
        for (var attempt = 0; !_stop.IsCancellationRequested; attempt++)
        {
            var (text, stale) = Outputs(attempt);
            Interlocked.Increment(ref _attempts);
            try
            {
                var serial = await AttemptAsync(TopologyOutputsJson.Parse(text), region);
                lock (_lock)
                {
                    _backendSerials[region] = serial;
                }
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or System.Security.Authentication.AuthenticationException or OutputsFormatException)
            {
                lock (_lock)
                {
                    _failures.Add($"{_clock.Elapsed.TotalSeconds:0.000} s: pg-{region}-pooler-rw with the {(stale ? "previous" : "current")} outputs: {e.Message}");
                }
            }
        }
    }

    // The outputs file as it is now, or as it was before its last change, for every other attempt.
    private (string Text, bool Stale) Outputs(int attempt)
    {
        var now = File.ReadAllText(_sandbox.OutputsPath);
        lock (_lock)
        {
            if (now != _current)
            {
                (_previous, _current) = (_current, now);
            }

            return attempt % 2 == 1 && _previous is not null ? (_previous, true) : (_current, false);
        }
    }

    private static async Task<string> AttemptAsync(TopologyOutputs outputs, string region)
    {
        await using var connection = await ApplicationConnection.OpenAsync(outputs, region, EndpointKind.Pooler, TimeSpan.FromSeconds(5));
        await using var command = new NpgsqlCommand("SELECT client_serial::text FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()", connection);
        return (string?)await command.ExecuteScalarAsync() ?? throw new IOException($"pg-{region}'s server connection from PgBouncer is not over TLS");
    }
}
