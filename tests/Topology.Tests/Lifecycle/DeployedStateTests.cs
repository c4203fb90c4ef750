using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Lifecycle;

namespace CrossClusterIac.Tests.Topology.Lifecycle;

public sealed class DeployedStateTests
{
    // A state derived with `with` (a renewal, another topology) is judged on its own objects, whatever was asked of the
    // state it came from before.
    [Fact]
    public void AStateDerivedFromAnotherIsRenderedAnewEvenWhenTheOtherWasRenderedFirst()
    {
        var deployed = new DeployedState { Topology = OperationCatalogue.Base(2, ReplicationMode.Streaming) };
        var before = deployed.Objects();

        var renewed = deployed.Renew(deployed.Plan.Regions.Select(r => r.Server.Id)).Objects();
        var monitored = (deployed with { Topology = deployed.Topology with { Monitoring = new MonitoringSettings { Enabled = true } } }).Objects();

        var server = new ObjectKey("eu", "Secret", "pg-eu-server-tls");
        Assert.NotEqual(before[server].Paths["data.tls.crt"], renewed[server].Paths["data.tls.crt"]);
        Assert.Contains(monitored.Keys, k => k.Kind == "PodMonitor");
        Assert.DoesNotContain(before.Keys, k => k.Kind == "PodMonitor");
    }
}
