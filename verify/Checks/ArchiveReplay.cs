namespace CrossClusterIac.Verify.Checks;

/// <summary>Where a replica's replay stands, as it reports it: what it can say of WAL it got from the archive.</summary>
/// <param name="ReplayedLsn">pg_last_wal_replay_lsn(), or <c>null</c> before any replay.</param>
/// <param name="LastReplayedCommit">pg_last_xact_replay_timestamp(): the commit time of the last transaction replayed.</param>
/// <param name="SegmentSize">wal_segment_size in bytes.</param>
/// <param name="StartupWait">The startup process's wait event (pg_stat_activity), e.g. RecoveryRetrieveRetryInterval.</param>
public sealed record ArchiveReplay(string? ReplayedLsn, DateTimeOffset? LastReplayedCommit, long SegmentSize, string? StartupWait);
