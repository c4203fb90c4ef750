namespace CrossClusterIac.Sandbox;

/// <summary>What a switchover or failover did.</summary>
/// <param name="From">The former primary region.</param>
/// <param name="To">The new primary region.</param>
/// <param name="Timeline">The new primary's timeline.</param>
/// <param name="PromotionToken">The old primary's demotion token the target was promoted with; <c>null</c> for a failover.</param>
/// <param name="BytesMaybeLost">
/// A failover's WAL the target never replayed: what the old primary's own pg_wal holds after the target's replayed
/// position (<see cref="UnreplayedWal"/>), or, when that cannot be read, what the old primary last reported to the
/// target beyond it; <c>null</c> for a switchover or when neither is known.
/// </param>
/// <param name="CommitsLost">
/// A failover's transactions the old primary committed after the target's replayed position, read from its pg_wal;
/// <c>null</c> for a switchover or when its pg_wal cannot be read.
/// </param>
/// <param name="Fenced">Former primaries that start again only rewound, as standbys.</param>
public sealed record PrimaryChangeReport(string From, string To, int Timeline, string? PromotionToken, ulong? BytesMaybeLost, int? CommitsLost, IReadOnlyList<string> Fenced);
