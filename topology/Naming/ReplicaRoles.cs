using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Naming;

/// <summary>
/// Which cluster each region's <c>spec.replica</c> names as primary and as source, in the steady state and in the
/// two phases of a controlled switchover (CNPG's distributed topology, docs/src/replica_cluster.md "Demoting a
/// Primary to a Replica Cluster" and "Promoting the designated primary in the replica cluster"):
/// <list type="bullet">
/// <item><b>Demote</b> (no token yet): the old primary names the target as primary and source; every other region,
/// the target included, still follows the old primary. No cluster is primary.</item>
/// <item><b>Promote</b> (the old primary's demotion token): every region names the target; the target alone is its
/// own primary, with the token; it keeps the old primary as its source.</item>
/// </list>
/// </summary>
/// <param name="Regions">Region names in declaration order.</param>
/// <param name="PrimaryRegion">The configured primary region (the old primary during a switchover).</param>
/// <param name="SwitchoverTo">The switchover's target, or <c>null</c>.</param>
/// <param name="Promoting">Whether the switchover has the demotion token (phase 2).</param>
public sealed record ReplicaRoles(IReadOnlyList<string> Regions, string PrimaryRegion, string? SwitchoverTo = null, bool Promoting = false)
{
    /// <summary>The roles a validated topology declares.</summary>
    public static ReplicaRoles Of(TopologyConfig topology) => new(
        topology.Regions.Select(r => r.Name!).ToList(),
        topology.PrimaryRegion!,
        topology.Switchover?.To,
        topology.Switchover?.PromotionToken is not null);

    /// <summary>The phase the topology is in.</summary>
    public SwitchoverPhase Phase => SwitchoverTo is null ? SwitchoverPhase.None : Promoting ? SwitchoverPhase.Promote : SwitchoverPhase.Demote;

    /// <summary>The region that accepts writes once CNPG has done what this phase asks, or <c>null</c> while the primary is demoted.</summary>
    public string? Writable => Phase switch
    {
        SwitchoverPhase.None => PrimaryRegion,
        SwitchoverPhase.Demote => null,
        _ => SwitchoverTo,
    };

    /// <summary>The region whose cluster <paramref name="region"/>'s <c>replica.primary</c> names.</summary>
    public string PrimaryNamedBy(string region) => Phase switch
    {
        SwitchoverPhase.None => PrimaryRegion,
        SwitchoverPhase.Demote => region == PrimaryRegion ? SwitchoverTo! : PrimaryRegion,
        _ => SwitchoverTo!,
    };

    /// <summary>Whether <paramref name="region"/>'s cluster is its own primary (not a replica cluster).</summary>
    public bool IsSelfPrimary(string region) => PrimaryNamedBy(region) == region;

    /// <summary>
    /// The one other region <paramref name="region"/> refers to: its <c>replica.source</c> when it follows, and for a
    /// primary the region it would follow (see <see cref="Peering"/>); <c>null</c> when it is alone.
    /// </summary>
    public string? PeerOf(string region) => Phase switch
    {
        SwitchoverPhase.None => Peering.PeerOf(Regions, PrimaryRegion, region),
        SwitchoverPhase.Demote => region == PrimaryRegion ? SwitchoverTo : PrimaryRegion,
        _ => region == SwitchoverTo ? PrimaryRegion : SwitchoverTo,
    };
}

/// <summary>Where a topology is in a controlled switchover.</summary>
public enum SwitchoverPhase
{
    /// <summary>No switchover: <c>primaryRegion</c> is primary.</summary>
    None,

    /// <summary>Phase 1: the primary is demoted and produces its demotion token.</summary>
    Demote,

    /// <summary>Phase 2: the target is promoted with that token.</summary>
    Promote,
}
