using System.Globalization;
using System.Text.RegularExpressions;
using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// What a crashed primary wrote after a position, read from its own <c>pg_wal</c> with PostgreSQL 15's
/// <c>pg_waldump --rmgr=Transaction</c>: the transactions it committed there and the WAL up to the end of what is
/// valid. After a failover that is exactly what the promoted target never replayed, so it is lost.
/// </summary>
/// <param name="From">The position it was read from: what the target replayed.</param>
/// <param name="End">The end of the valid WAL, where pg_waldump stopped.</param>
/// <param name="Commits">COMMIT records (of a transaction or of a prepared one) between the two.</param>
public sealed partial record UnreplayedWal(Lsn From, Lsn End, int Commits)
{
    /// <summary>Bytes of WAL from <see cref="From"/> to <see cref="End"/>.</summary>
    public ulong Bytes => End.BytesAfter(From);

    /// <summary>
    /// Reads pg_waldump's output (in the C locale, its messages are translated otherwise), or <c>null</c> when it did
    /// not read from <paramref name="from"/> to an end: the segment is not in pg_wal, or it stopped for another reason.
    /// pg_waldump always ends a read of a crashed server's WAL with an error, exit 1: it reads until a record is not
    /// valid (src/bin/pg_waldump/pg_waldump.c main: "error in WAL record at %X/%X: %s", the last valid record's start
    /// and xlogreader's reason), and xlogreader names where it stopped (src/backend/access/transam/xlogreader.c
    /// XLogDecodeNextRecord, ValidXLogRecordHeader: "invalid record length at %X/%X", "record with incorrect prev-link
    /// %X/%X at %X/%X"; XLogReaderValidatePageHeader: "invalid magic number %04X in log segment %s, offset %u" for a
    /// page left from a recycled segment). When nothing valid follows <paramref name="from"/> it says "could not find a
    /// valid record after %X/%X" (pg_waldump.c main, XLogFindNextRecord): nothing was written after it.
    /// </summary>
    /// <param name="from">Where it was asked to start (<c>--start</c>).</param>
    /// <param name="segmentSize">The server's WAL segment size (pg_controldata "Bytes per WAL segment").</param>
    /// <param name="standardOutput">One line per record (src/bin/pg_waldump/pg_waldump.c XLogDumpDisplayRecord: <c>rmgr: Transaction len …, desc: COMMIT …</c>).</param>
    /// <param name="standardError">Its final error.</param>
    public static UnreplayedWal? Parse(Lsn from, ulong segmentSize, string standardOutput, string standardError)
    {
        if (standardError.Contains("could not find a valid record after", StringComparison.Ordinal))
        {
            return new UnreplayedWal(from, from, 0);
        }

        if (EndOfWal().Match(standardError) is not { Success: true } error)
        {
            return null;
        }

        Lsn end;
        if (StoppedAt().Match(error.Groups["reason"].Value) is { Success: true } at)
        {
            _ = Lsn.TryParse(at.Groups["lsn"].Value, out end);
        }
        else if (InSegment().Match(error.Groups["reason"].Value) is { Success: true } page)
        {
            // A segment's name is its timeline, then its number as "log" and "seg" (src/include/access/xlog_internal.h
            // XLogFileName: segno / XLogSegmentsPerXLogId, segno % XLogSegmentsPerXLogId), each 8 hex digits.
            var name = page.Groups["segment"].Value;
            var log = ulong.Parse(name[8..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var seg = ulong.Parse(name[16..24], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var segmentNumber = (log * (0x100000000UL / segmentSize)) + seg;
            end = new Lsn((segmentNumber * segmentSize) + ulong.Parse(page.Groups["offset"].Value, CultureInfo.InvariantCulture));
        }
        else
        {
            return null;
        }

        var commits = standardOutput.Split('\n').Count(line =>
            line.StartsWith("rmgr: Transaction ", StringComparison.Ordinal)
            && line.IndexOf("desc: ", StringComparison.Ordinal) is >= 0 and var desc
            && line.AsSpan(desc + "desc: ".Length).StartsWith("COMMIT", StringComparison.Ordinal));
        return new UnreplayedWal(from, end, commits);
    }

    [GeneratedRegex(@"error in WAL record at [0-9A-F]+/[0-9A-F]+: (?<reason>.*)")]
    private static partial Regex EndOfWal();

    [GeneratedRegex(@"^.* at (?<lsn>[0-9A-F]+/[0-9A-F]+)")]
    private static partial Regex StoppedAt();

    [GeneratedRegex(@"in log segment (?<segment>[0-9A-F]{24}), offset (?<offset>[0-9]+)")]
    private static partial Regex InSegment();
}
