using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Lifecycle;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Tests.Topology.Lifecycle;

/// <summary>The transitions that were wrong, each judged by the lifecycle model on the core's own manifests.</summary>
public sealed class TransitionDefectTests
{
    [Theory]
    [InlineData("leaf renewal")]
    [InlineData("intermediate renewal")]
    [InlineData("root rotation")]
    public void ARenewalUpdatesEveryCertificateSecretAndTheQueryConfigMapInPlace(string operation)
    {
        var monitored = Judge(operation, 3, ReplicationMode.Streaming, monitoring: true);

        var secrets = monitored.Where(v => !v.Update.Name.StartsWith("first", StringComparison.Ordinal)).SelectMany(v => v.Changes).Where(s => s.Key.Kind is "Secret" or "ConfigMap").ToList();
        Assert.NotEmpty(secrets);
        Assert.All(secrets, s => Assert.Equal(PlannedAction.Update, s.Step.Action));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(5)]
    public void ASwitchoverInArchiveModeIsAdmittedByCnpgAtEveryPhase(int regions)
    {
        var verdicts = Judge("switchover", regions, ReplicationMode.Archive);

        Assert.Equal(["first up", "phase 1: demote", "phase 2: promote with the token", "completion"], verdicts.Select(v => v.Update.Name));
        Assert.All(verdicts.SelectMany(v => v.Steps), s => Assert.Empty(s.Refusals));
    }

    [Fact]
    public void AFailoverInArchiveModeIsAdmittedByCnpg()
    {
        var verdicts = Judge("failover", 4, ReplicationMode.Archive);

        Assert.All(verdicts.SelectMany(v => v.Steps), s => Assert.Empty(s.Refusals));
    }

    [Fact]
    public void ARejoinReplacesOnlyTheRebuiltClusterDeleteFirstAndSkipsItsEmptyArchiveCheck()
    {
        var rebuild = Judge("rejoin", 3, ReplicationMode.Streaming).Single(v => v.Update.Name.StartsWith("rebuild (", StringComparison.Ordinal));

        var cluster = Assert.Single(rebuild.Changes, s => s.Key.Kind == "Cluster" && s.Step.Action != PlannedAction.Update);
        Assert.Equal(("eu", PlannedAction.ReplaceDeleteFirst), (cluster.Key.Region, cluster.Step.Action));
        Assert.Equal("\"enabled\"", cluster.Sent!.Paths[$"metadata.annotations.{RebuiltCluster.SkipEmptyWalArchiveCheck}"]);
        Assert.NotNull(cluster.Sent.At("spec.bootstrap.recovery"));
        Assert.All(rebuild.Steps.Where(s => s.Key.Kind == "Cluster" && s.Key.Region != "eu"), s => Assert.DoesNotContain(s.Sent!.Paths.Keys, p => p.Contains(RebuiltCluster.SkipEmptyWalArchiveCheck, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("root rotation")]
    [InlineData("leaf renewal")]
    [InlineData("intermediate renewal")]
    public void EveryCertificateChangeReloadsEveryPgBouncerThatPresentsOrTrustsIt(string operation)
    {
        var updates = Judge(operation, 3, ReplicationMode.Streaming).Skip(1).ToList();

        Assert.All(updates, update => Assert.All(OperationCatalogue.RegionNames.Take(3), region =>
            Assert.Contains(update.Reactions, r => r.Region == region && r.Process == CnpgReaction.PgBouncer)));
        Assert.DoesNotContain(updates.SelectMany(u => u.Reactions), r => r.Process == CnpgReaction.PoolerRollout);
    }

    [Theory]
    [InlineData("namespace rename (refused)", "topology.namespace")]
    [InlineData("region rename (refused)", "topology.regions[2].name")]
    public void AnEditThatWouldReplaceAClusterIsRefusedByTheProgramNamingTheKeyBeforeTheEngineSeesIt(string operation, string key)
    {
        var refused = Judge(operation, 3, ReplicationMode.Streaming)[^1];

        // Refused before any resource is declared: no step at all, so neither the engine's protect (whose advice is to
        // lift the protection, the way to lose the data) nor a cluster ever sees it.
        Assert.True(refused.Refused);
        Assert.Empty(refused.Steps);
        var problem = Assert.Single(refused.ProgramRefusals);
        Assert.Equal(key, problem.Key);
        Assert.Contains("Set it back to", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RemovingARegionDeletesItsClusterOnlyOnceItsProtectionIsLifted()
    {
        var scenario = OperationCatalogue.For(3, ReplicationMode.Streaming).Single(s => s.Operation == "removing a region");
        var lifted = TransitionJudge.Judge(scenario)[^1];
        var kept = TransitionJudge.Judge(scenario with { Updates = [.. scenario.Updates.Select(u => u with { Unprotected = new HashSet<string>() })] })[^1];

        Assert.Contains(lifted.Changes, s => s.Key == new ObjectKey("ap", "Cluster", "pg-ap") && s.Step.Action == PlannedAction.Delete);
        Assert.True(kept.Refused);
    }

    [Fact]
    public void AnExposureMovingFromIPv4ToIPv6GetsANewSliceInsteadOfAnInPlaceChangeTheApiServerRefuses()
    {
        var move = Judge("exposure address IPv4 to IPv6", 2, ReplicationMode.Streaming)[^1];

        Assert.False(move.Refused);
        Assert.Contains(move.Changes, s => s.Key == new ObjectKey("eu", "EndpointSlice", "pg-us-rw-remote-ipv6") && s.Step.Action == PlannedAction.Create);
        Assert.Contains(move.Changes, s => s.Key == new ObjectKey("eu", "EndpointSlice", "pg-us-rw-remote") && s.Step.Action == PlannedAction.Delete);
    }

    private static IReadOnlyList<UpdateVerdict> Judge(string operation, int regions, ReplicationMode mode, bool monitoring = false)
    {
        var scenario = OperationCatalogue.For(regions, mode).Single(s => s.Operation == operation);
        if (monitoring)
        {
            DeployedState Monitored(DeployedState state) => state with { Topology = state.Topology with { Monitoring = new MonitoringSettings { Enabled = true } } };
            scenario = scenario with
            {
                Setup = [.. scenario.Setup.Select(u => u with { State = Monitored(u.State) })],
                Updates = [.. scenario.Updates.Select(u => u with { State = Monitored(u.State) })],
            };
        }

        return TransitionJudge.Judge(scenario);
    }
}
