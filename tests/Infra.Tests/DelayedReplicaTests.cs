using System.Text.Json.Nodes;
using CrossClusterIac.Topology.Config;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>Issue 14: a delayed replica as stack config: its Cluster's replica.minApplyDelay and its delay in the outputs.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class DelayedReplicaTests
{
    [Fact]
    public async Task ADelayedReplicasClusterHoldsBackReplayAndItsOutputsSaySoForVerify()
    {
        var config = StackConfigFile.Read("prod");
        var topology = JsonNode.Parse(config[TopologyConfigLoader.ConfigKey])!;
        topology["regions"]![1]!["replication"] = new JsonObject { ["minApplyDelay"] = "1h" };
        config[TopologyConfigLoader.ConfigKey] = topology.ToJsonString();

        var deployment = await MockedDeployment.RunAsync("prod", config);

        var replicas = deployment.Mocks.OfType("kubernetes:postgresql.cnpg.io/v1:Cluster").ToDictionary(
            c => (string)Inputs.At(c.Inputs, "metadata", "name")!,
            c => (IReadOnlyDictionary<string, object?>)Inputs.At(c.Inputs, "spec", "replica")!);
        var delayed = (string)topology["regions"]![1]!["name"]!;
        Assert.Equal("1h", replicas[$"pg-{delayed}"]["minApplyDelay"]);
        Assert.All(replicas.Where(r => r.Key != $"pg-{delayed}"), r => Assert.False(r.Value.ContainsKey("minApplyDelay")));
        var regions = await OutputUtilities.GetValueAsync(deployment.Stack.Regions);
        Assert.Equal(3600, regions.Single(r => (string)r["name"] == delayed)["minApplyDelaySeconds"]);
        Assert.All(regions.Where(r => (string)r["name"] != delayed), r => Assert.False(r.ContainsKey("minApplyDelaySeconds")));
    }
}
