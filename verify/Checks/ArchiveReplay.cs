using System.Globalization;

namespace CrossClusterIac.Verify.Checks;

/// <summary>Where a replica's replay stands, as it reports it: what it can say of WAL it got from the archive.</summary>
/// <param name="ReplayedLsn">pg_last_wal_replay_lsn(), or <c>null</c> before any replay.</param>
/// <param name="LastReplayedCommit">pg_last_xact_replay_timestamp(): the commit time of the last transaction replayed.</param>
/// <param name="SegmentSize">wal_segment_size in bytes.</param>
/// <param name="StartupWait">The startup process's wait event (pg_stat_activity), e.g. RecoveryRetrieveRetryInterval.</param>
public sealed record ArchiveReplay(string? ReplayedLsn, DateTimeOffset? LastReplayedCommit, long SegmentSize, string? StartupWait)
{
    /// <summary>
    /// The WAL segment file holding the byte before <paramref name="lsn"/> (the last one replayed) on <paramref name="timeline"/>, named as PostgreSQL names it
    /// (access/xlog_internal.h XLogFileName: timeline, then the LSN's segment number split into "log" and "seg", 8 hex
    /// digits each), which is also the object barman-cloud archives under that name. pg_walfile_name() does the same but
    /// is refused during recovery, which is where verify needs it.
    /// </summary>
    public static string SegmentName(int timeline, string lsn, long segmentSize)
    {
        var parts = lsn.Split('/');
        var position = (ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 32) | ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        // Replay that ends exactly on a segment boundary has replayed the segment before it, and nothing of the next.
        var segment = (position == 0 ? 0 : position - 1) / (ulong)segmentSize;
        var perLog = 0x1_0000_0000UL / (ulong)segmentSize;
        return string.Create(CultureInfo.InvariantCulture, $"{timeline:X8}{segment / perLog:X8}{segment % perLog:X8}");
    }
}
