using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Naming;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>Every Kubernetes object of a validated topology, region by region.</summary>
public static class TopologyManifests
{
    /// <summary>The objects of each region, in the config's region order.</summary>
    public static IReadOnlyList<RegionManifests> For(TopologyConfig topology) => For(topology, PkiPlan.For(topology));

    /// <summary>
    /// The objects of each region, with Secrets referring to certificates of <paramref name="plan"/>;
    /// <paramref name="rebuild"/> names the region whose Cluster is being rebuilt (<c>dr rejoin</c>), if any.
    /// </summary>
    public static IReadOnlyList<RegionManifests> For(TopologyConfig topology, PkiPlan plan, string? rebuild = null) =>
        topology.Regions.Select(region =>
        {
            var names = new ClusterNames(region.Name!, topology.Namespace.Name);
            var isPrimary = region.Name == topology.PrimaryRegion;
            var secrets = PkiSecrets.For(names, plan, plan.ForRegion(region.Name!));
            return new RegionManifests
            {
                Region = region.Name!,
                Namespace = topology.Namespace.Declared ? CnpgCompanions.Namespace(topology) : null,
                Secrets = secrets,
                ObjectStores = topology.Regions.Where(member => ClusterManifest.ArchiveListed(topology, region, member)).Select(r => CnpgCompanions.ObjectStore(topology, r)).ToList(),
                Cluster = ClusterManifest.For(topology, region, rebuilt: region.Name == rebuild),
                Pooler = PoolerTls.Watching(CnpgCompanions.Pooler(topology, names), secrets),
                ScheduledBackup = CnpgCompanions.ScheduledBackup(topology, names, isPrimary),
                BootstrapBackup = isPrimary ? CnpgCompanions.BootstrapBackup(topology, names) : null,
                BootstrapWait = isPrimary ? null : new BootstrapWait(
                    topology.Regions.Single(r => r.Name == topology.PrimaryRegion).KubeContext!,
                    topology.Namespace.Name,
                    new ClusterNames(topology.PrimaryRegion!, topology.Namespace.Name).BootstrapBackup),
                Exposures = NetworkManifests.Exposures(topology, region),
                StableEndpoints = NetworkManifests.StableEndpoints(topology, region),
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
