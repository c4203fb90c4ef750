namespace CrossClusterIac.Topology.Config;

/// <summary>The region whose Cluster a rebuild (<c>dr rejoin</c>) replaces: only a replica region can be one.</summary>
public static class RebuildTarget
{
    /// <summary>Why <paramref name="region"/> cannot be rebuilt in <paramref name="topology"/>, or <c>null</c> when it can.</summary>
    public static string? Problem(TopologyConfig topology, string region)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var replicas = topology.Regions.Select(r => r.Name!).Where(r => r != topology.PrimaryRegion).ToList();
        return replicas.Contains(region)
            ? null
            : $"'{region}' is not a replica region ({string.Join(", ", replicas)}); only a former primary rebuilt as a replica is named here";
    }
}
