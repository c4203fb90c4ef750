using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Lifecycle;

namespace CrossClusterIac.Tests.Topology.Config;

/// <summary>The identity a deployment exports and the renames the next run refuses against it.</summary>
public sealed class DeployedIdentityTests
{
    private static readonly TopologyConfig Deployed = OperationCatalogue.Base(3, ReplicationMode.Streaming);

    private static IReadOnlyList<ConfigProblem> Against(TopologyConfig edited) =>
        DeployedIdentity.FromJson(DeployedIdentity.Of(Deployed).ToJson())!.RenamesIn(edited);

    [Fact]
    public void TheExportedIdentityReadsBackAsTheSameNamespaceAndRegions()
    {
        var identity = DeployedIdentity.Of(Deployed);

        var read = DeployedIdentity.FromJson(identity.ToJson())!;

        Assert.Equal(identity.Namespace, read.Namespace);
        Assert.Equal(identity.Regions, read.Regions);
        Assert.Empty(read.RenamesIn(Deployed));
    }

    [Fact]
    public void ANewStackHasNoIdentityToCompareWith() => Assert.Null(DeployedIdentity.FromJson(null));

    [Fact]
    public void ANamespaceRenameIsRefusedNamingTheKeyAndTheNamespaceToSetBack()
    {
        var problem = Assert.Single(Against(Deployed with { Namespace = new NamespaceConfig { Name = "databases2" } }));

        Assert.Equal("topology.namespace", problem.Key);
        Assert.Contains($"Set it back to '{Deployed.Namespace.Name}'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARegionRenamedOnTheSameKubeContextIsRefusedNamingItsIndexAndTheOldName()
    {
        var edited = Deployed with { Regions = [.. Deployed.Regions.Select(r => r.Name == "us" ? r with { Name = "na" } : r)] };

        var problem = Assert.Single(Against(edited));

        Assert.Equal("topology.regions[1].name", problem.Key);
        Assert.Contains("Set it back to 'us'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("pulumi state unprotect", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddingOrRemovingARegionIsNotARename()
    {
        var removed = Deployed with { Regions = [.. Deployed.Regions.Where(r => r.Name != "ap")] };
        var added = Deployed with { Regions = [.. Deployed.Regions, Deployed.Regions[2] with { Name = "sa", KubeContext = "k8s-sa" }] };
        var replaced = removed with { Regions = [.. removed.Regions, Deployed.Regions[2] with { Name = "sa", KubeContext = "k8s-sa" }] };

        Assert.Empty(Against(removed));
        Assert.Empty(Against(added));
        Assert.Empty(Against(replaced));
    }

    [Fact]
    public void ASwitchoverMovesThePrimaryPhaseByPhaseAndAFailoverWhereTheKeySays()
    {
        var phase1 = Deployed with { Switchover = new SwitchoverConfig { To = "us" } };
        var phase2 = Deployed with { Switchover = new SwitchoverConfig { To = "us", PromotionToken = OperationCatalogue.SampleToken } };
        var completed = Deployed with { PrimaryRegion = "us" };

        Assert.Empty(DeployedIdentity.Of(Deployed).PrimaryMovesIn(phase1, failover: null));
        Assert.Empty(DeployedIdentity.Of(phase1).PrimaryMovesIn(phase2, failover: null));
        Assert.Empty(DeployedIdentity.Of(phase2).PrimaryMovesIn(completed, failover: null));
        Assert.Empty(DeployedIdentity.Of(Deployed).PrimaryMovesIn(completed, failover: "us"));
        Assert.Empty(DeployedIdentity.Of(completed).PrimaryMovesIn(completed, failover: null));
    }

    [Theory]
    [InlineData("edited", "topology.primaryRegion", "`dr failover --to us`")]
    [InlineData("stale in phase 2", "topology.switchover", "`dr switchover --to us` resumes")]
    [InlineData("token dropped", "topology.switchover", "`dr switchover --to us` resumes")]
    [InlineData("failover key for another region", "topology.primaryRegion", "`dr failover --to us`")]
    [InlineData("old primary back after completion", "topology.primaryRegion", "`dr failover --to eu`")]
    public void AMoveOfThePrimaryNoSwitchoverOrFailoverSaysIsRefusedNamingTheWay(string edit, string key, string way)
    {
        var phase1 = Deployed with { Switchover = new SwitchoverConfig { To = "us" } };
        var phase2 = Deployed with { Switchover = new SwitchoverConfig { To = "us", PromotionToken = OperationCatalogue.SampleToken } };
        var completed = Deployed with { PrimaryRegion = "us" };
        var (was, now, failover) = edit switch
        {
            "edited" => (Deployed, completed, (string?)null),
            "stale in phase 2" => (phase2, Deployed, null),
            "token dropped" => (phase2, phase1, null),
            "failover key for another region" => (Deployed, completed, "ap"),
            _ => (completed, Deployed, null),
        };

        var problem = Assert.Single(DeployedIdentity.Of(was).PrimaryMovesIn(now, failover));

        Assert.Equal(key, problem.Key);
        Assert.Contains(way, problem.Message, StringComparison.Ordinal);
        Assert.Contains("older checkout", problem.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"namespace\":\"databases\"}")]
    [InlineData("{\"namespace\":\"databases\",\"regions\":[{\"name\":\"eu\"}]}")]
    [InlineData("{\"namespace\":")]
    public void AnIdentityInAnotherShapeIsRefusedNamingTheOutput(string json)
    {
        var error = Assert.Throws<TopologyConfigException>(() => DeployedIdentity.FromJson(json));

        Assert.Equal(DeployedIdentity.OutputName, Assert.Single(error.Problems).Key);
    }
}
