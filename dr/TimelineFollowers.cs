using CrossClusterIac.Topology.Cnpg;

namespace CrossClusterIac.Dr;

/// <summary>What another replica region said of its replay position before a failover.</summary>
/// <param name="Region">The region, e.g. <c>ap</c>.</param>
/// <param name="Endpoint">Its instance endpoint as dialled, <c>host:port</c>.</param>
/// <param name="Replayed"><c>pg_last_wal_replay_lsn()</c> while it is in recovery; <c>null</c> when there is none to compare.</param>
/// <param name="Cause">Why there is no position (no answer, not in recovery); <c>null</c> when there is one.</param>
public sealed record ReplicaReplay(string Region, string Endpoint, Lsn? Replayed, string? Cause)
{
    /// <summary>A replica that answered, in recovery, with its replay position.</summary>
    public static ReplicaReplay At(string region, string endpoint, Lsn replayed) => new(region, endpoint, replayed, null);

    /// <summary>A replica whose position is not known, and why.</summary>
    public static ReplicaReplay Unknown(string region, string endpoint, string cause) => new(region, endpoint, null, cause);
}

/// <summary>Whether a replica region can follow the failover target's new timeline.</summary>
public enum FollowOutcome
{
    /// <summary>It replayed no further than the target: it can follow the new timeline.</summary>
    Follows,

    /// <summary>It replayed past the target: it may not be able to follow, and then needs a rebuild.</summary>
    MayNotFollow,

    /// <summary>Its position was not read.</summary>
    Unknown,
}

/// <summary>One replica region's verdict, and the line that says it.</summary>
/// <param name="Region">The region.</param>
/// <param name="Outcome">Follows, may not follow, or unknown.</param>
/// <param name="Line">What <c>dr failover</c> prints for it, one line starting with <c>pg-REGION:</c>.</param>
public sealed record FollowVerdict(string Region, FollowOutcome Outcome, string Line);

/// <summary>
/// Which other replica regions can follow a failover target once it is promoted. The promotion forks a new timeline
/// at the end of what the target replayed, and a standby follows a new timeline only from a position at or before
/// its fork: src/backend/access/transam/xlogrecovery.c rescanLatestTimeLine logs "new timeline … forked off current
/// database system timeline … before current recovery point" and stays on the old timeline, which nothing writes any
/// more. Such a replica needs a rebuild (<c>dr rejoin</c>), as <c>sandbox failover</c> fences it
/// (sandbox/PrimaryChanges.cs FenceDivergedAsync).
/// </summary>
public static class TimelineFollowers
{
    /// <summary>
    /// Judges each of <paramref name="others"/> against <paramref name="targetReplayed"/>, the target's replay position
    /// read before its promotion. The target may still replay until it is promoted: PostgreSQL restores "any WAL
    /// immediately available in the archive or in pg_wal" before leaving standby mode (doc/src/sgml/high-availability.sgml,
    /// Standby Server Operation). So the fork can only be later than what was read, and a replica judged past it may
    /// follow after all: the verdict says "may not be able to follow", never that it cannot. Each position is a moment's
    /// reading, the others' too: a replica may still replay what it received or restores before the target is promoted.
    /// </summary>
    /// <param name="stack">The stack, for the rejoin command.</param>
    /// <param name="target">The failover target region.</param>
    /// <param name="targetReplayed">The target's <c>pg_last_wal_replay_lsn()</c>.</param>
    /// <param name="others">Every other replica region's reading, in the order to print.</param>
    public static IReadOnlyList<FollowVerdict> Judge(string stack, string target, Lsn targetReplayed, IReadOnlyList<ReplicaReplay> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        var furthest = others.Max(o => o.Replayed?.Value);
        return [.. others.Select(o =>
        {
            var rejoin = $"dr rejoin --stack {stack} --region {o.Region}";
            if (o.Replayed is not { } replayed)
            {
                return new FollowVerdict(o.Region, FollowOutcome.Unknown, $"pg-{o.Region}: no replay position from {o.Endpoint} ({o.Cause}): whether it can follow pg-{target} after the promotion is unknown; if it replayed past pg-{target}'s {targetReplayed}, rebuild it afterwards with: {rejoin}");
            }

            if (replayed.Value <= targetReplayed.Value)
            {
                return new FollowVerdict(o.Region, FollowOutcome.Follows, $"pg-{o.Region}: replayed up to {replayed}, at or before pg-{target}'s {targetReplayed}: it can follow pg-{target} after the promotion");
            }

            var lessLost = replayed.Value == furthest ? $" (a failover to pg-{o.Region} would lose less)" : string.Empty;
            return new FollowVerdict(o.Region, FollowOutcome.MayNotFollow, $"pg-{o.Region}: replayed up to {replayed}, past pg-{target}'s {targetReplayed}: it may not be able to follow pg-{target} after the promotion; rebuild it afterwards with: {rejoin}{lessLost}");
        })];
    }
}
