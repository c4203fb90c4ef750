using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Naming;

namespace CrossClusterIac.Tests.Topology.Switchover;

/// <summary>Issue 11: the two phases of a controlled switchover as the program renders them.</summary>
public sealed class SwitchoverPhaseTests
{
    private static readonly TopologyConfig Prod = TopologyConfigLoader.FromStackFile(Tests.Topology.RepositoryFiles.StackFile("prod"));

    private static readonly string Token = CrossClusterIac.Topology.Lifecycle.OperationCatalogue.SampleToken;

    public static TheoryData<string, string, string?> Phases()
    {
        var data = new TheoryData<string, string, string?>();
        foreach (var stack in new[] { "dev", "staging", "prod" })
        {
            var topology = TopologyConfigLoader.FromStackFile(Tests.Topology.RepositoryFiles.StackFile(stack));
            foreach (var target in topology.Regions.Select(r => r.Name!).Where(r => r != topology.PrimaryRegion))
            {
                data.Add(stack, target, null);
                data.Add(stack, target, Token);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Phases))]
    public void NoPhaseRendersTwoPrimariesAndOnlyPhaseTwoPromotesWithTheToken(string stack, string target, string? token)
    {
        var topology = TopologyConfigLoader.FromStackFile(Tests.Topology.RepositoryFiles.StackFile(stack)) with
        {
            Switchover = new SwitchoverConfig { To = target, PromotionToken = token },
        };

        var replicas = TopologyManifests.For(topology).ToDictionary(r => r.Region, r => Replica(r.Cluster));
        var primaries = replicas.Where(r => r.Value["primary"] as string == r.Value["self"] as string).Select(r => r.Key).ToList();

        if (token is null)
        {
            Assert.Empty(primaries);
            Assert.All(replicas.Values, r => Assert.False(r.ContainsKey("promotionToken")));
        }
        else
        {
            Assert.Equal([target], primaries);
            Assert.Equal(token, replicas[target]["promotionToken"]);
            Assert.Single(replicas.Values, r => r.ContainsKey("promotionToken"));
        }
    }

    [Fact]
    public void PhaseOneDemotesThePrimaryTowardsTheTargetWhichStillFollowsIt()
    {
        var manifests = TopologyManifests.For(Prod with { Switchover = new SwitchoverConfig { To = "ap" } }).ToDictionary(r => r.Region);

        Assert.Equal(("pg-eu", "pg-ap", "pg-ap"), Triple(manifests["eu"].Cluster));
        Assert.Equal(("pg-ap", "pg-eu", "pg-eu"), Triple(manifests["ap"].Cluster));
        Assert.Equal(("pg-us", "pg-eu", "pg-eu"), Triple(manifests["us"].Cluster));

        // The demoted primary streams from the target through twins of the target's services (not its old peer us's).
        Assert.Contains(manifests["eu"].RemoteEndpoints, e => e.Region == "ap");
        Assert.DoesNotContain(manifests["eu"].RemoteEndpoints, e => e.Region == "us");
        Assert.Contains(manifests["eu"].ObjectStores, s => s.Name == Prod.Regions.Single(r => r.Name == "ap").ObjectStore!.Name);
    }

    [Fact]
    public void PhaseTwoPointsEveryRegionAtThePromotedTarget()
    {
        var manifests = TopologyManifests.For(Prod with { Switchover = new SwitchoverConfig { To = "ap", PromotionToken = Token } }).ToDictionary(r => r.Region);

        Assert.Equal(("pg-ap", "pg-ap", "pg-eu"), Triple(manifests["ap"].Cluster));
        Assert.Equal(("pg-eu", "pg-ap", "pg-ap"), Triple(manifests["eu"].Cluster));
        Assert.Equal(("pg-us", "pg-ap", "pg-ap"), Triple(manifests["us"].Cluster));
        Assert.Contains(manifests["eu"].RemoteEndpoints, e => e.Region == "ap");
        Assert.Contains(manifests["us"].RemoteEndpoints, e => e.Region == "ap");
    }

    [Fact]
    public void ACompletedSwitchoverIsTheTargetAsPrimaryWithNoToken()
    {
        var done = TopologyManifests.For(Prod with { PrimaryRegion = "ap" }).ToDictionary(r => r.Region);

        Assert.Equal(("pg-ap", "pg-ap", "pg-eu"), Triple(done["ap"].Cluster));
        Assert.Equal(("pg-eu", "pg-ap", "pg-ap"), Triple(done["eu"].Cluster));
        Assert.All(done.Values, r => Assert.False(Replica(r.Cluster).ContainsKey("promotionToken")));
    }

    [Theory]
    [InlineData(SwitchoverPhase.None, "eu")]
    [InlineData(SwitchoverPhase.Demote, null)]
    [InlineData(SwitchoverPhase.Promote, "us")]
    public void OnlyOneRegionIsWritableInEachPhase(SwitchoverPhase phase, string? writable)
    {
        var roles = new ReplicaRoles(["eu", "us", "ap"], "eu", phase == SwitchoverPhase.None ? null : "us", phase == SwitchoverPhase.Promote);

        Assert.Equal(phase, roles.Phase);
        Assert.Equal(writable, roles.Writable);
        Assert.Equal(writable is null ? [] : [writable], roles.Regions.Where(roles.IsSelfPrimary));
    }

    private static (object?, object?, object?) Triple(Manifest cluster)
    {
        var replica = Replica(cluster);
        return (replica["self"], replica["primary"], replica["source"]);
    }

    private static IReadOnlyDictionary<string, object?> Replica(Manifest cluster) =>
        Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(cluster.Body["spec"])["replica"]);
}
