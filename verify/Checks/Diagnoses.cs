using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>Turns a failure into what an operator should look at.</summary>
public static class Diagnoses
{
    /// <summary>
    /// Explains an exception raised while talking to <paramref name="target"/>; for a pooler, also looks at its backend.
    /// The cause is the server a fresh look finds not serving (the backend first: a pooler in front of a PostgreSQL
    /// that is down fails for that reason), so that every check it stopped is reported under that one cause.
    /// </summary>
    public static async Task<Diagnosis> EndpointAsync(CheckContext context, Exception exception, ConnectionTarget target)
    {
        var fault = Fault.Of(exception, target);
        if (target.Kind != EndpointKind.Pooler || fault.Kind == FaultKind.Unreachable)
        {
            return fault.Kind switch
            {
                FaultKind.Unreachable => new Diagnosis($"{fault.Description} ({Server(target)} down?)", await CauseAsync(context, target, fault)),
                FaultKind.Timeout => await SilenceAsync(context, target, TimedOut(context, target)),
                _ => new Diagnosis(fault.Description, null),
            };
        }

        // A pooler is looked at together with its backend: PgBouncer answering while its backend does not is a stuck
        // or stopped PostgreSQL behind it, not a slow PgBouncer.
        var backend = ConnectionTarget.Instance(context.Region(target.Region));
        var behind = await context.Looks.AtAsync(backend.Endpoint);
        var diagnosis = fault.Kind != FaultKind.Timeout
            ? new Diagnosis(fault.Description, null)
            : behind is Answer.Refused or Answer.Silent && await context.Looks.AtAsync(target.Endpoint) == Answer.Answered
                ? new Diagnosis($"{TimedOut(context, target)}: PgBouncer there answers, so it waits on its backend", null)
                : await SilenceAsync(context, target, TimedOut(context, target));
        return behind switch
        {
            Answer.Refused => new Diagnosis($"{diagnosis.Text}; its backend {backend} refuses TCP connections: PostgreSQL in region {target.Region} is down", RootCause.Of(backend, behind)),
            Answer.Silent => new Diagnosis($"{diagnosis.Text}; its backend {backend} accepts TCP but does not answer either: PostgreSQL in region {target.Region} is stuck (stopped or overloaded)", RootCause.Of(backend, behind)),
            _ => diagnosis,
        };
    }

    /// <summary>
    /// The server behind a connection to <paramref name="target"/> that failed with <paramref name="fault"/>, neither
    /// accepted nor refused by the server: the target itself when its kernel refused TCP (down, whatever a later look
    /// on a loaded machine makes of it), else as a fresh look finds it, and for a pooler that answers, its backend.
    /// </summary>
    public static async Task<RootCause?> CauseAsync(CheckContext context, ConnectionTarget target, Fault fault)
    {
        if (fault.TcpRefused)
        {
            return new RootCause(target.Region, target.Kind, ServerState.Down);
        }

        var cause = RootCause.Of(target, await context.Looks.AtAsync(target.Endpoint));
        if (cause is not null || target.Kind != EndpointKind.Pooler)
        {
            return cause;
        }

        var backend = ConnectionTarget.Instance(context.Region(target.Region));
        return RootCause.Of(backend, await context.Looks.AtAsync(backend.Endpoint));
    }

    /// <summary>Why a replica does not show what the primary wrote: replay paused, WAL receiver down, or merely slow.</summary>
    public static async Task<Diagnosis> ReplicaAsync(CheckContext context, RegionOutputs replica)
    {
        var target = ConnectionTarget.Instance(replica);
        using var limit = new CancellationTokenSource(context.Options.Timeout);
        try
        {
            await using var connection = await context.OpenAsVerifyAsync(target, limit.Token);
            await using var command = new NpgsqlCommand(
                """
                SELECT pg_is_in_recovery(),
                       pg_is_in_recovery() AND pg_is_wal_replay_paused(),
                       (SELECT status FROM pg_stat_wal_receiver),
                       pg_last_wal_receive_lsn()::text,
                       pg_last_wal_replay_lsn()::text,
                       current_setting('primary_conninfo'),
                       pg_last_xact_replay_timestamp(),
                       pg_size_bytes(current_setting('wal_segment_size')),
                       (SELECT wait_event FROM pg_stat_activity WHERE backend_type = 'startup')
                """,
                connection);
            await using var reader = await command.ExecuteReaderAsync(limit.Token);
            await reader.ReadAsync(limit.Token);
            var inRecovery = reader.GetBoolean(0);
            var paused = reader.GetBoolean(1);
            var receiver = reader.IsDBNull(2) ? null : reader.GetString(2);
            var received = reader.IsDBNull(3) ? "none" : reader.GetString(3);
            var replayed = reader.IsDBNull(4) ? "none" : reader.GetString(4);
            var conninfo = reader.IsDBNull(5) ? string.Empty : reader.GetString(5);
            var replay = new ArchiveReplay(
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetString(8));
            if (!inRecovery)
            {
                return new Diagnosis($"{replica.Cluster} is not in recovery: it was promoted and no longer follows the primary", null);
            }

            if (paused)
            {
                return new Diagnosis($"WAL replay is paused on {replica.Cluster} (received up to {received}, replayed up to {replayed}); SELECT pg_wal_replay_resume() resumes it", null);
            }

            if (receiver != "streaming" && conninfo.Length == 0)
            {
                // CNPG writes an empty primary_conninfo when the source's externalClusters entry has no connectionParameters
                // (pkg/management/external/external.go ConfigureConnectionToServer): WAL then comes from the archive only.
                return new Diagnosis($"replica not streaming (archive only): {replica.Cluster} has no primary_conninfo, so it replays only what reaches the WAL archive, as `replication.mode: archive` renders it (rows arrive once their segment is archived, within archive_timeout); to stream, its source's externalClusters entry needs connectionParameters and sslCert/sslKey/sslRootCert (`replication.mode: streaming`)", null);
            }

            if (receiver != "streaming")
            {
                return new Diagnosis(await LinkDiagnosis.NotStreamingAsync(context, replica, receiver, replay), null);
            }

            return new Diagnosis($"{replica.Cluster} streams (received {received}, replayed {replayed}) but has not replayed the write within the limit: replay is too slow", null);
        }
        catch (Exception e) when (EndpointException.IsConnectionFailure(e))
        {
            var endpoint = await EndpointAsync(context, e, target);
            return endpoint with { Text = $"the replica cannot be inspected: {endpoint.Text}" };
        }
    }

    private static string TimedOut(CheckContext context, ConnectionTarget target) =>
        $"{target} did not answer within {context.Options.Timeout.TotalSeconds:0.#} s";

    private static string Server(ConnectionTarget target) => target.Kind == EndpointKind.Pooler ? "PgBouncer" : "PostgreSQL";

    // A stopped process's kernel still completes TCP handshakes from the listen backlog, so "accepts TCP but never
    // answers" is what a stuck server looks like, as opposed to a network that drops the connection attempt.
    private static async Task<Diagnosis> SilenceAsync(CheckContext context, ConnectionTarget target, string timedOut)
    {
        var answer = await context.Looks.AtAsync(target.Endpoint);
        var text = answer switch
        {
            Answer.Silent => $"{Server(target)} there accepts TCP but does not answer: the process is stuck (stopped or overloaded)",
            Answer.Unreachable => $"no TCP connection within {context.Looks.Limit.TotalSeconds:0.##} s: a firewall or route drops packets to it",
            Answer.Refused => $"{Server(target)} there now refuses TCP connections: it went down",
            _ => $"{Server(target)} there answers a fresh connection: it was too slow for the limit, give --timeout more seconds or look at its load",
        };
        return new Diagnosis($"{timedOut}: {text}", RootCause.Of(target, answer));
    }
}
