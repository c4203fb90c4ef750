using System.Globalization;

namespace CrossClusterIac.Verify.Checks;

/// <summary>How PostgreSQL names WAL positions' files and timelines, for what verify reads and reports.</summary>
public static class WalNames
{
    /// <summary>
    /// SQL for the timeline a primary writes: its current WAL file's first 8 hex digits. A switchover or failover starts
    /// a new one. pg_walfile_name() is refused during recovery (src/backend/access/transam/xlogfuncs.c).
    /// </summary>
    public const string CurrentTimeline = "('x' || substr(pg_walfile_name(pg_current_wal_lsn()), 1, 8))::bit(32)::int";

    /// <summary>
    /// The WAL segment file holding the byte before <paramref name="lsn"/> (the last one replayed) on
    /// <paramref name="timeline"/>, named as PostgreSQL names it (access/xlog_internal.h XLogFileName: timeline, then the
    /// LSN's segment number split into "log" and "seg", 8 hex digits each), which is also the object barman-cloud
    /// archives under that name. pg_walfile_name() does the same but is refused during recovery, where verify needs it.
    /// </summary>
    public static string Segment(int timeline, string lsn, long segmentSize)
    {
        var parts = lsn.Split('/');
        var position = (ulong.Parse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) << 32) | ulong.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        // Replay that ends exactly on a segment boundary has replayed the segment before it, and nothing of the next.
        var segment = (position == 0 ? 0 : position - 1) / (ulong)segmentSize;
        var perLog = 0x1_0000_0000UL / (ulong)segmentSize;
        return string.Create(CultureInfo.InvariantCulture, $"{timeline:X8}{segment / perLog:X8}{segment % perLog:X8}");
    }
}
