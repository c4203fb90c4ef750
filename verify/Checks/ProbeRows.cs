using System.Collections.Concurrent;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// The rows a run writes into <see cref="CheckContext.ProbeTable"/>, removed again on every path out of the run,
/// and the rows of earlier runs that were killed before they could remove theirs.
/// </summary>
/// <remarks>
/// A run holds a session-level advisory lock on every run id it writes under, on one connection of its own (the
/// lease), and takes it before the rows are inserted. A row whose run id's lock is free therefore belongs to a run
/// that is gone: its session ended with its process, whatever killed it. The next run removes such rows and leaves
/// those of a verify still running. A hash collision between two run ids only makes a stale row look held: it is
/// kept, never the other way round.
/// <para>
/// The lease goes to the primary's instance, not through PgBouncer. CNPG's spec.pgbouncer.poolMode may be
/// <c>transaction</c>, and then a session lock taken through the pooler stays on a server connection that other clients
/// reuse: PgBouncer runs server_reset_query (DISCARD ALL, which unlocks) on release only in session mode unless
/// server_reset_query_always is set (pgbouncer src/objects.c release_server; doc/config.md server_reset_query). Even in
/// session mode the lock would outlive our client until PgBouncer noticed the disconnect and reset the connection.
/// Directly on PostgreSQL the lock lives exactly as long as our session.
/// </para>
/// </remarks>
public sealed class ProbeRows(CheckContext context) : IAsyncDisposable
{
    // Advisory locks of the two-int4 form live apart from the bigint form (pg_locks.objsubid 2 against 1), so an
    // application's own bigint locks never meet verify's; the first int names verify, the second the run id.
    private const string LockKey = "hashtext('crosscluster-verify'), hashtext(run_id::text)";

    private readonly SemaphoreSlim _lease = new(1, 1);
    private readonly List<Guid> _claimed = [];
    private readonly ConcurrentQueue<Guid> _ready = new();
    private NpgsqlConnection? _connection;

    private ConnectionTarget Target => ConnectionTarget.Instance(context.Primary);

    /// <summary>
    /// Opens the lease and, in one round trip, creates the table if it is missing, removes the rows of runs that no
    /// longer hold their lock, and claims <paramref name="runs"/> run ids for this run's checks; once per run.
    /// </summary>
    public async Task StartAsync(int runs, CancellationToken cancellationToken)
    {
        var ids = Enumerable.Range(0, runs).Select(_ => Guid.NewGuid()).ToArray();
        lock (_claimed)
        {
            // Recorded before the lock: a row the INSERT may yet write is removed even if the claim is cut short.
            _claimed.AddRange(ids);
        }

        // Held while the lease is in use, as every use of it is: a removal or a close does not touch it meanwhile.
        await _lease.WaitAsync(cancellationToken);
        try
        {
            await ClaimAsync(ids, cancellationToken);
        }
        finally
        {
            _lease.Release();
        }

        foreach (var id in ids)
        {
            _ready.Enqueue(id);
        }
    }

    private async Task ClaimAsync(Guid[] ids, CancellationToken cancellationToken)
    {
        _connection = await EndpointException.Attribute(Target, "opening the probe lease as the application role", () => context.OpenAsAppAsync(Target, cancellationToken));
        await EndpointException.Attribute(Target, "creating the probe table, removing probe rows of killed runs and claiming this run's", async () =>
        {
            // pg_try_advisory_lock succeeds only for a run id no session holds; the locks taken there are dropped at once,
            // before this run claims its own. A batch goes in one round trip, which across regions is what a step costs.
            await using var batch = new NpgsqlBatch(_connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand($"CREATE TABLE IF NOT EXISTS {CheckContext.ProbeTable} (run_id uuid NOT NULL, n integer NOT NULL, payload text NOT NULL, written_at timestamptz NOT NULL DEFAULT clock_timestamp(), PRIMARY KEY (run_id, n))"),
                    new NpgsqlBatchCommand($"DELETE FROM {CheckContext.ProbeTable} WHERE run_id IN (SELECT run_id FROM (SELECT DISTINCT run_id FROM {CheckContext.ProbeTable}) AS runs WHERE pg_try_advisory_lock({LockKey}))"),
                    new NpgsqlBatchCommand("SELECT pg_advisory_unlock_all()"),
                    new NpgsqlBatchCommand($"SELECT pg_advisory_lock({LockKey}) FROM unnest($1::uuid[]) AS run(run_id)") { Parameters = { new() { Value = ids } } },
                },
            };
            return await batch.ExecuteNonQueryAsync(cancellationToken);
        });
    }

    /// <summary>
    /// A run id this run holds the lock of, for one check's rows: one claimed at the start when one is left, else one
    /// claimed now on the lease. Call after <see cref="StartAsync"/> has completed.
    /// </summary>
    public async Task<Guid> TakeAsync(CancellationToken cancellationToken)
    {
        if (_ready.TryDequeue(out var ready))
        {
            return ready;
        }

        var runId = Guid.NewGuid();
        await _lease.WaitAsync(cancellationToken);
        try
        {
            lock (_claimed)
            {
                _claimed.Add(runId);
            }

            await EndpointException.Attribute(Target, "claiming the probe rows", async () =>
            {
                await using var claim = new NpgsqlCommand($"SELECT pg_advisory_lock({LockKey}) FROM (SELECT $1::uuid AS run_id) AS run", _connection) { Parameters = { new() { Value = runId } } };
                return await claim.ExecuteNonQueryAsync(cancellationToken);
            });
        }
        finally
        {
            _lease.Release();
        }

        return runId;
    }

    /// <summary>
    /// Deletes every row this run wrote, on a fresh connection within a limit of its own (the run's token may be
    /// cancelled already); says what became of them.
    /// </summary>
    public async Task<ProbeRemoval> RemoveAsync()
    {
        Guid[] claimed;
        lock (_claimed)
        {
            claimed = [.. _claimed];
        }

        // Rows are written only under ids the lease holds the lock of; with no lease ever opened (the primary unreachable
        // or stuck from the start), none can have been, and a removal would only wait on the same primary again.
        if (claimed.Length == 0 || _connection is null)
        {
            return new ProbeRemoval("no probe rows were written", Left: false);
        }

        using var limit = new CancellationTokenSource(context.Options.Timeout);
        try
        {
            // The lease, while it is open and idle, saves a connection's round trips; after a failure, a fresh one.
            if (_connection is { State: System.Data.ConnectionState.Open } lease && await _lease.WaitAsync(TimeSpan.Zero))
            {
                try
                {
                    await DeleteAsync(lease, claimed, limit.Token);
                    return new ProbeRemoval("probe rows removed", Left: false);
                }
                catch (Exception e) when (EndpointException.IsConnectionFailure(e) && !limit.IsCancellationRequested)
                {
                    // Broken since its last use: a fresh connection below.
                }
                finally
                {
                    _lease.Release();
                }
            }

            await using var connection = await context.OpenAsAppAsync(Target, limit.Token);
            await DeleteAsync(connection, claimed, limit.Token);
            return new ProbeRemoval("probe rows removed", Left: false);
        }
        catch (Exception e) when (EndpointException.IsConnectionFailure(e))
        {
            return new ProbeRemoval($"probe rows could not be removed ({Fault.Of(e, Target).Description}); the next verify run removes them", Left: true);
        }
    }

    private static async Task DeleteAsync(NpgsqlConnection connection, Guid[] runIds, CancellationToken cancellationToken)
    {
        await using var delete = new NpgsqlCommand($"DELETE FROM {CheckContext.ProbeTable} WHERE run_id = ANY($1)", connection) { Parameters = { new() { Value = runIds } } };
        await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Closes the lease, which releases this run's locks: what is left is now stale for the next run. A command on the
    /// lease that a check gave up on may still be running; the close waits for it, within <c>--timeout</c>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        // A cancelled command ends once PostgreSQL has aborted it or Npgsql's Cancellation Timeout (2 s by default) has
        // passed, when Npgsql breaks the connection (src/Npgsql/Internal/NpgsqlReadBuffer.cs Ensure, v10.0.3).
        var idle = await _lease.WaitAsync(context.Options.Timeout);
        try
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }
        }
        catch (NpgsqlException) when (!idle)
        {
            // Closing under a read still pending finishes that read's result first (NpgsqlConnection.CloseAsync ->
            // NpgsqlConnector.CloseOngoingOperations), a second read the stream refuses (NotSupportedException); the
            // failed read breaks the connector (NpgsqlReadBuffer.Ensure: Connector.Break closes the socket), so the
            // session, and with it every lock of this run, ends all the same.
        }
        finally
        {
            if (idle)
            {
                // Not while the command's own release is still to come.
                _lease.Release();
                _lease.Dispose();
            }
        }
    }
}

/// <summary>What became of a run's probe rows.</summary>
/// <param name="Summary">One phrase, e.g. "probe rows removed".</param>
/// <param name="Left">Whether rows may remain in the table.</param>
public sealed record ProbeRemoval(string Summary, bool Left);
