using System.Globalization;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// Why a replica that verify reaches, whose replay is not paused and which has a <c>primary_conninfo</c>, does not
/// stream: its link to the primary is down, or the primary is gone for everyone; and what it replays meanwhile from the
/// archive. A standby whose WAL receiver cannot connect falls back to restore_command and tries streaming again every
/// wal_retrieve_retry_interval (PostgreSQL 15 src/backend/access/transam/xlogrecovery.c WaitForWALToBecomeAvailable).
/// </summary>
public static class LinkDiagnosis
{
    /// <summary>The diagnosis of <paramref name="replica"/> not streaming, with what its own view (<paramref name="replay"/>) and the primary's archiver say.</summary>
    public static async Task<string> NotStreamingAsync(CheckContext context, RegionOutputs replica, string? receiver, ArchiveReplay replay)
    {
        var primary = context.Primary;
        var target = ConnectionTarget.Instance(primary);
        Archiver archiver;
        using (var limit = new CancellationTokenSource(context.Options.Timeout))
        {
            try
            {
                archiver = await ReadArchiverAsync(context, target, limit.Token);
            }
            catch (Exception e) when (EndpointException.IsConnectionFailure(e))
            {
                return $"replica not streaming: {replica.Cluster} has no WAL receiver, and {primary.Cluster} does not answer verify either ({Fault.Of(e, target).Description}): the primary is down or cut from every network{Replaying(replay, timeline: null, archived: null)}";
            }
        }

        var state = receiver is null ? "no WAL receiver" : $"a WAL receiver in state '{receiver}'";
        return $"replica not streaming: link to {primary.Cluster} down: {replica.Cluster} has {state} while {primary.Cluster} answers verify; check the network from region {replica.Name} to {primary.Instance.ServerName}'s exposure (then {primary.Cluster}'s pg_hba and {replica.Cluster}'s streaming_replica certificate){Replaying(replay, archiver.Timeline, archiver)}";
    }

    private static string Replaying(ArchiveReplay replay, int? timeline, Archiver? archived)
    {
        if (replay.ReplayedLsn is not { } lsn)
        {
            return "; it has replayed nothing yet";
        }

        var segment = timeline is { } t ? WalNames.Segment(t, lsn, replay.SegmentSize) : null;
        var commit = replay.LastReplayedCommit is { } at ? $", last commit replayed from {Time(at)}" : string.Empty;
        var position = $"last segment {segment ?? "unknown"}, replayed up to {lsn}{commit}";
        if (archived is null)
        {
            return $"; replaying what reaches the archive, if anything ({position})";
        }

        if (archived.LastWal is not { } last)
        {
            return $"; nothing reaches it from the archive either: {position}, and the primary has archived no WAL (see its archive_command and object store)";
        }

        // last_archived_wal may name a backup label or a timeline history file after the segment (0000…05.00000028.backup).
        last = last.Length > SegmentNameLength ? last[..SegmentNameLength] : last;
        var source = $"the primary archived up to {last}{(archived.LastTime is { } when ? $" at {Time(when)}" : string.Empty)}";
        return replay.StartupWait == "RecoveryRetrieveRetryInterval" || string.CompareOrdinal(segment, last) >= 0
            ? $"; replaying from the archive, caught up with it ({position}; {source}); what is not archived yet arrives when its segment fills or archive_timeout passes"
            : $"; replaying from the archive ({position}; {source})";
    }

    private static async Task<Archiver> ReadArchiverAsync(CheckContext context, ConnectionTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await context.OpenAsVerifyAsync(target, cancellationToken);
        // pg_stat_archiver is readable by any role.
        await using var command = new NpgsqlCommand(
            $"SELECT {WalNames.CurrentTimeline}, last_archived_wal, last_archived_time FROM pg_stat_archiver",
            connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Archiver(
            reader.GetInt32(0),
            reader.IsDBNull(1) ? null : reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    private const int SegmentNameLength = 24;

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private sealed record Archiver(int Timeline, string? LastWal, DateTimeOffset? LastTime);
}
