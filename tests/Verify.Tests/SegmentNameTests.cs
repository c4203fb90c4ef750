using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Tests.Verify;

/// <summary>The WAL segment verify names in a diagnosis is the one PostgreSQL and barman-cloud name (xlog_internal.h XLogFileName).</summary>
public sealed class SegmentNameTests
{
    [Theory]
    [InlineData(1, "0/3000148", 16 * 1024 * 1024, "000000010000000000000003")]
    [InlineData(1, "0/7000000", 16 * 1024 * 1024, "000000010000000000000006")]
    [InlineData(2, "1/A0000010", 16 * 1024 * 1024, "0000000200000001000000A0")]
    [InlineData(3, "2/FF", 64 * 1024 * 1024, "000000030000000200000000")]
    public void TheLastReplayedByteNamesTheSegment(int timeline, string lsn, long segmentSize, string expected) =>
        Assert.Equal(expected, WalNames.Segment(timeline, lsn, segmentSize));
}
