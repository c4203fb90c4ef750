namespace CrossClusterIac.Topology.Naming;

/// <summary>
/// Which one other region a region refers to: for a replica, the primary it follows; for the primary, the
/// region it would follow after a controlled switchover (the first other one). Every region referring to one
/// peer keeps objects, and verify's cross-region checks, linear in the number of regions.
/// </summary>
public static class Peering
{
    /// <summary>The peer of <paramref name="region"/> among <paramref name="regions"/> (in declaration order), or <c>null</c> when it is alone.</summary>
    public static string? PeerOf(IEnumerable<string> regions, string primary, string region) =>
        region == primary ? regions.FirstOrDefault(r => r != region) : primary;
}
