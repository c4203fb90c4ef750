using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>Every Kubernetes object of a validated topology, region by region.</summary>
public static class TopologyManifests
{
    /// <summary>The objects of each region, in the config's region order.</summary>
    public static IReadOnlyList<RegionManifests> For(TopologyConfig topology) => For(topology, PkiPlan.For(topology));

    /// <summary>The objects of each region, with Secrets referring to certificates of <paramref name="plan"/>.</summary>
    public static IReadOnlyList<RegionManifests> For(TopologyConfig topology, PkiPlan plan) =>
        topology.Regions.Select(region =>
        {
            var names = new ClusterNames(region.Name!, topology.Namespace.Name);
            var isPrimary = region.Name == topology.PrimaryRegion;
            return new RegionManifests
            {
                Region = region.Name!,
                Namespace = topology.Namespace.Declared ? CnpgCompanions.Namespace(topology) : null,
                Secrets = PkiSecrets.For(names, plan, plan.ForRegion(region.Name!)),
                ObjectStores = new[] { region, PeerOf(topology, region) }.OfType<RegionConfig>().Select(r => CnpgCompanions.ObjectStore(topology, r)).ToList(),
                Cluster = ClusterManifest.For(topology, region),
                Pooler = CnpgCompanions.Pooler(topology, names),
                ScheduledBackup = CnpgCompanions.ScheduledBackup(topology, names, isPrimary),
                BootstrapBackup = isPrimary ? CnpgCompanions.BootstrapBackup(topology, names) : null,
                Exposures = NetworkManifests.Exposures(topology, region),
                Monitoring = MonitoringManifests.For(topology, region, plan),
                RemoteEndpoints = NetworkManifests.RemoteEndpoints(topology, region),
            };
        }).ToList();

    /// <summary>The one other region a region's cluster refers to (see <see cref="ReplicaRoles"/>); <c>null</c> with one region.</summary>
    public static RegionConfig? PeerOf(TopologyConfig topology, RegionConfig region) =>
        ReplicaRoles.Of(topology).PeerOf(region.Name!) is { } peer
            ? topology.Regions.Single(r => r.Name == peer)
            : null;
}
