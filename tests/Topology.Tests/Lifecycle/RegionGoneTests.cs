using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Lifecycle;

namespace CrossClusterIac.Tests.Topology.Lifecycle;

/// <summary>A region whose Kubernetes API does not answer, as the lifecycle model judges the dr commands run against it.</summary>
public sealed class RegionGoneTests
{
    private const string FailoverAway = "failover from a region that is gone (load balancers)";

    [Fact]
    public void AFailoverFromARegionThatIsGoneKeepsItsLoadBalancerAddressesKnown()
    {
        var failover = Judge(FailoverAway, 3)[^1];

        Assert.Empty(failover.UnknownOutputs);
        Assert.All(failover.Steps.Where(s => s.Key.Region == "eu" && ResourceGraph.OutputDependenciesOf("eu", failover.Update.State).Contains(s.Key)),
            s => Assert.Equal(PlannedAction.Same, s.Step.Action));
    }

    [Fact]
    public void AnExposureServiceThatWaitedForItsClusterWouldBlankTheGoneRegionsOutputs()
    {
        // The dependency the program gave exposure Services before: the address waited for the Cluster, whose update fails.
        var failover = Judge(FailoverAway, 3)[^1];
        var graph = ResourceGraph.Of(failover.Update.State).ToDictionary(
            g => g.Key,
            g => g.Key.Kind == "Service" && ResourceGraph.OutputDependenciesOf(g.Key.Region, failover.Update.State).Contains(g.Key)
                ? (IReadOnlyList<ObjectKey>)[.. g.Value, new ObjectKey(g.Key.Region, "Cluster", $"pg-{g.Key.Region}")]
                : g.Value);

        var cluster = failover.Steps.Single(s => s.Key == new ObjectKey("eu", "Cluster", "pg-eu"));
        Assert.Equal(PlannedAction.Failed, cluster.Step.Action);
        Assert.Contains(graph, g => g.Key.Region == "eu" && g.Key.Kind == "Service" && g.Value.Contains(cluster.Key) && failover.Steps.Single(s => s.Key == g.Key).Step.Action == PlannedAction.Same);
        Assert.All(ResourceGraph.OutputDependenciesOf("eu", failover.Update.State), k => Assert.Contains(cluster.Key, graph[k]));
    }

    [Fact]
    public void ARegionWhoseApiDoesNotAnswerFailsItsChangesSkipsWhatWaitsForThemAndHoldsUpNoOtherRegion()
    {
        var failover = Judge(FailoverAway, 3)[^1];

        var eu = failover.Steps.Where(s => s.Key.Region == "eu").ToList();
        Assert.Equal(PlannedAction.Failed, eu.Single(s => s.Key.Kind == "Cluster").Step.Action);
        Assert.Equal(PlannedAction.Skipped, eu.Single(s => s.Key.Kind == "Pooler").Step.Action);
        Assert.DoesNotContain(eu, s => s.Step.Action is PlannedAction.Update or PlannedAction.Create or PlannedAction.Delete);
        Assert.Contains(failover.Changes, s => s.Key == new ObjectKey("us", "Cluster", "pg-us") && s.Step.Action == PlannedAction.Update);
        Assert.DoesNotContain(failover.Steps, s => s.Key.Region != "eu" && s.Step.Action is PlannedAction.Failed or PlannedAction.Skipped);
        Assert.DoesNotContain(failover.Reactions, r => r.Region == "eu");
    }

    [Fact]
    public void TheRejoinOnceTheRegionIsBackMakesTheChangesTheFailoverCouldNot()
    {
        var verdicts = Judge("rejoin once the region is back (load balancers)", 3);
        var failed = verdicts[1].Steps.Where(s => s.Step.Action is PlannedAction.Failed or PlannedAction.Skipped && s.Step.Changed.Count > 0).Select(s => s.Key).ToList();
        var rebuild = verdicts[2];

        Assert.NotEmpty(failed);
        Assert.All(failed, key => Assert.Contains(rebuild.Changes, s => s.Key == key));
        Assert.Equal(PlannedAction.ReplaceDeleteFirst, rebuild.Steps.Single(s => s.Key == new ObjectKey("eu", "Cluster", "pg-eu")).Step.Action);
        Assert.Empty(LifecycleInvariants.Check(OperationCatalogue.For(3, ReplicationMode.Streaming).Single(s => s.Operation == "rejoin once the region is back (load balancers)")));
    }

    [Fact]
    public void ARegionGoneForGoodLeavesTheStackOnlyWithDeleteUnreachable()
    {
        var scenario = OperationCatalogue.For(3, ReplicationMode.Streaming).Single(s => s.Operation == "a replica region gone for good removed (load balancers)");
        var removed = TransitionJudge.Judge(scenario)[^1];
        var without = TransitionJudge.Judge(scenario with { Updates = [.. scenario.Updates.Select(u => u with { DeleteUnreachable = false })] })[^1];

        Assert.All(removed.Steps.Where(s => s.Key.Region == "ap"), s => Assert.Equal(PlannedAction.Delete, s.Step.Action));
        Assert.All(without.Steps.Where(s => s.Key.Region == "ap"), s => Assert.Equal(PlannedAction.Failed, s.Step.Action));
        Assert.Contains(removed.Changes, s => s.Key == new ObjectKey("eu", "Cluster", "pg-eu") && s.Step.Action == PlannedAction.Update);
        Assert.DoesNotContain(removed.Steps, s => s.Key.Region != "ap" && s.Step.Action is PlannedAction.Failed or PlannedAction.Skipped);
    }

    private static IReadOnlyList<UpdateVerdict> Judge(string operation, int regions) =>
        TransitionJudge.Judge(OperationCatalogue.For(regions, ReplicationMode.Streaming).Single(s => s.Operation == operation));
}
