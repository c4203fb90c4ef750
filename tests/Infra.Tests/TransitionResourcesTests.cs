using CrossClusterIac.Infra.Stacks;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Tests.Infra;

/// <summary>The provider settings and resource options the lifecycle model plans with are the ones the program declares.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class TransitionResourcesTests
{
    private const string ClusterType = "kubernetes:postgresql.cnpg.io/v1:Cluster";

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task EveryRegionsProviderUpdatesSecretsAndConfigMapsInPlace(string stack)
    {
        var deployment = await MockedDeployment.RunAsync(stack);

        var providers = deployment.Mocks.OfType("pulumi:providers:kubernetes");
        Assert.Equal(deployment.Pki.Plan.Regions.Count, providers.Count);
        Assert.All(providers, p =>
        {
            Assert.True(Inputs.At(p.Inputs, "enableSecretMutable") is true or "true", $"{p.Name}: enableSecretMutable is {Inputs.At(p.Inputs, "enableSecretMutable") ?? "unset"}");
            Assert.True(Inputs.At(p.Inputs, "enableConfigMapMutable") is true or "true", $"{p.Name}: enableConfigMapMutable is {Inputs.At(p.Inputs, "enableConfigMapMutable") ?? "unset"}");
        });
    }

    [Fact]
    public async Task EveryClusterIsProtectedButTheOneARebuildReplacesDeleteFirst()
    {
        var config = StackConfigFile.Read("prod");
        RecordedTopologyStack.Reset();
        var steady = await MockedDeployment.RunAsync<RecordedTopologyStack>("prod", config, MockedDeployment.MocksFor(config));
        var clusters = steady.Mocks.OfType(ClusterType).Select(c => c.Name!).ToList();
        Assert.Equal(3, clusters.Count);
        Assert.All(clusters, c => Assert.True(RecordedTopologyStack.OptionsOf(c).Protect, $"{c} is not protected"));

        config[TopologyStack.RebuildKey] = "us";
        RecordedTopologyStack.Reset();
        var rebuild = await MockedDeployment.RunAsync<RecordedTopologyStack>("prod", config, MockedDeployment.MocksFor(config));

        var options = rebuild.Mocks.OfType(ClusterType).Select(c => c.Name!).ToDictionary(c => c, RecordedTopologyStack.OptionsOf);
        var rebuilt = Assert.Single(options, o => o.Key.StartsWith("us-", StringComparison.Ordinal)).Value as Pulumi.CustomResourceOptions;
        Assert.NotNull(rebuilt);
        Assert.True((rebuilt.Protect, rebuilt.DeleteBeforeReplace) == (false, true), $"the rebuilt Cluster has protect {rebuilt.Protect}, deleteBeforeReplace {rebuilt.DeleteBeforeReplace}");
        Assert.All(options.Where(o => !o.Key.StartsWith("us-", StringComparison.Ordinal)), o => Assert.True(o.Value.Protect));
        var annotations = Inputs.At(Assert.Single(rebuild.Mocks.OfType(ClusterType), c => c.Name!.StartsWith("us-", StringComparison.Ordinal)).Inputs, "metadata", "annotations");
        Assert.Equal(RebuiltCluster.Enabled, Inputs.At(annotations, RebuiltCluster.SkipEmptyWalArchiveCheck));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task EveryPoolerCarriesTheFingerprintOfTheCertificatesItPresentsAndTrusts(string stack)
    {
        var config = StackConfigFile.Read(stack);
        var deployment = await MockedDeployment.RunAsync(stack, config);
        var manifests = TopologyManifests.For(TopologyConfigLoader.FromJson(config[TopologyConfigLoader.ConfigKey]), deployment.Pki.Plan);

        var poolers = deployment.Mocks.OfType("kubernetes:postgresql.cnpg.io/v1:Pooler");
        Assert.Equal(manifests.Count, poolers.Count);
        foreach (var region in manifests)
        {
            var pooler = Assert.Single(poolers, p => Inputs.At(p.Inputs, "metadata", "name") as string == region.Pooler.Name);
            var expected = (IReadOnlyDictionary<string, object?>)ManifestDocument.ToObject(region.Pooler, deployment.Pki.Material)["metadata"]!;
            Assert.Equal(((IReadOnlyDictionary<string, object?>)expected["annotations"]!)[PoolerTls.Annotation], Inputs.At(pooler.Inputs, "metadata", "annotations", PoolerTls.Annotation));
        }

        Assert.Equal(poolers.Count, poolers.Select(p => Inputs.At(p.Inputs, "metadata", "annotations", PoolerTls.Annotation)).Distinct().Count());
    }
}
