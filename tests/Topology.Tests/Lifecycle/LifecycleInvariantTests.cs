using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Lifecycle;

namespace CrossClusterIac.Tests.Topology.Lifecycle;

/// <summary>Every operation of the catalogue, for 2 to 5 regions in both replication modes, holds every invariant.</summary>
public sealed class LifecycleInvariantTests
{
    public static TheoryData<int, ReplicationMode> Topologies()
    {
        var data = new TheoryData<int, ReplicationMode>();
        foreach (var mode in Enum.GetValues<ReplicationMode>())
        {
            for (var regions = 2; regions <= OperationCatalogue.RegionNames.Count; regions++)
            {
                data.Add(regions, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Topologies))]
    public void EveryOperationHoldsEveryInvariant(int regions, ReplicationMode mode)
    {
        var violations = OperationCatalogue.For(regions, mode).SelectMany(LifecycleInvariants.Check).ToList();

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }
}
