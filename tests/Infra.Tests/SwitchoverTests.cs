using System.Text.Json.Nodes;
using CrossClusterIac.Infra.Components;
using CrossClusterIac.Infra.Stacks;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using Pulumi;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>A controlled switchover as stack config: the target in the topology, the demotion token in secret config.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class SwitchoverTests
{
    private const string ClusterType = "kubernetes:postgresql.cnpg.io/v1:Cluster";

    private static readonly string Token = CrossClusterIac.Topology.Lifecycle.OperationCatalogue.SampleToken;

    [Fact]
    public async Task PhaseOneDemotesThePrimaryAndPromotesNobody()
    {
        var deployment = await MockedDeployment.RunAsync("dev", Config("dev", to: "us", token: null));

        var replicas = Replicas(deployment);
        Assert.Equal("pg-us", replicas["eu"]["primary"]);
        Assert.Equal("pg-eu", replicas["us"]["primary"]);
        Assert.All(replicas.Values, replica => Assert.NotEqual(replica["self"], replica["primary"]));
        Assert.All(replicas.Values, replica => Assert.False(replica.ContainsKey("promotionToken")));
    }

    [Fact]
    public async Task PhaseTwoGivesTheTargetTheTokenAsASecret()
    {
        var deployment = await RecordedRunAsync("dev", Config("dev", to: "us", token: Token));

        var replicas = Replicas(deployment);
        Assert.Equal(("pg-us", Token), ((string?)replicas["us"]["primary"], (string?)replicas["us"]["promotionToken"]));
        Assert.Equal("pg-us", replicas["eu"]["primary"]);
        Assert.False(replicas["eu"].ContainsKey("promotionToken"));

        // The mocked monitor hands the mocks input values without their secretness; the arguments the program built keep it.
        var spec = ((ManifestResourceArgs)RecordedTopologyStack.ArgsOf("us-cnpg-pg-us-cluster")).Spec.ToOutput();
        var replica = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>((await OutputUtilities.GetValueAsync(spec))["replica"]);
        var token = Assert.IsType<Output<object>>(replica["promotionToken"]);
        Assert.True(await Output.IsSecretAsync(token));
        Assert.Equal(Token, await OutputUtilities.GetValueAsync(token));
        // Only the token: a preview still shows which cluster each region names as primary.
        Assert.False(await Output.IsSecretAsync(spec));
        Assert.Equal("pg-us", replica["primary"]);
    }

    [Fact]
    public async Task TheTokenWithoutASwitchoverTargetIsRefusedNamingBothKeys()
    {
        var (error, mocks) = await FailedRunAsync("dev", Config("dev", to: null, token: Token));

        Assert.Contains("cross-cluster-dr:promotionToken is set, but topology.switchover.to is not", error.Message, StringComparison.Ordinal);
        Assert.Contains("pulumi config rm cross-cluster-dr:promotionToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
        Assert.Empty(mocks.Registered);
    }

    [Fact]
    public async Task ATokenInThePlainTopologyIsRefusedForTheSecretConfigValue()
    {
        var config = StackConfigFile.Read("dev");
        var topology = JsonNode.Parse(config[TopologyConfigLoader.ConfigKey])!;
        topology["switchover"] = new JsonObject { ["to"] = "us", ["promotionToken"] = Token };
        config[TopologyConfigLoader.ConfigKey] = topology.ToJsonString();

        var (error, mocks) = await FailedRunAsync("dev", config);

        Assert.Contains("topology.switchover.promotionToken", error.Message, StringComparison.Ordinal);
        Assert.Contains("pulumi config set --secret cross-cluster-dr:promotionToken <token>", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error.Message, StringComparison.Ordinal);
        Assert.Empty(mocks.Registered);
    }

    [Fact]
    public async Task AMalformedTokenIsRefusedUnderItsSecretConfigKeyWithoutBeingEchoed()
    {
        var malformed = new PromotionToken { LatestCheckpointTimelineId = "1" }.Encode();

        var (error, mocks) = await FailedRunAsync("dev", Config("dev", to: "us", token: malformed));

        Assert.Contains("cross-cluster-dr:promotionToken: invalid promotion token (REDOWALFile is empty)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("topology.switchover.promotionToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(malformed, error.Message, StringComparison.Ordinal);
        Assert.Empty(mocks.Registered);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("prod")]
    public async Task ClustersIgnoreChangesToBootstrap(string stack)
    {
        var deployment = await RecordedRunAsync(stack, StackConfigFile.Read(stack));

        var clusters = deployment.Mocks.OfType(ClusterType).Select(c => c.Name!).ToList();
        Assert.Equal(deployment.Pki.Plan.Regions.Count, clusters.Count);
        Assert.All(clusters, cluster => Assert.Equal(["spec.bootstrap"], RecordedTopologyStack.OptionsOf(cluster).IgnoreChanges));
        // Besides the Clusters, only the bootstrap waits, which run once, when their region is created.
        Assert.All(deployment.Mocks.Registered.Where(r => r.Type != ClusterType && !r.Name!.EndsWith("-bootstrap-wait", StringComparison.Ordinal)), r => Assert.Empty(RecordedTopologyStack.OptionsOf(r.Name!).IgnoreChanges));
    }

    [Fact]
    public async Task ARebuiltRegionsClusterTakesTheManifestsBootstrapAndNoOtherDoes()
    {
        var config = StackConfigFile.Read("prod");
        config[TopologyStack.RebuildKey] = "us";

        var deployment = await RecordedRunAsync("prod", config);

        var clusters = deployment.Mocks.OfType(ClusterType).Select(c => c.Name!).ToList();
        Assert.Empty(RecordedTopologyStack.OptionsOf(Assert.Single(clusters, c => c.StartsWith("us-", StringComparison.Ordinal))).IgnoreChanges);
        Assert.All(clusters.Where(c => !c.StartsWith("us-", StringComparison.Ordinal)), c => Assert.Equal(["spec.bootstrap"], RecordedTopologyStack.OptionsOf(c).IgnoreChanges));
    }

    [Theory]
    [InlineData("eu", "'eu' is not a replica region (us, ap)")]
    [InlineData("mars", "'mars' is not a replica region (us, ap)")]
    public async Task RebuildingThePrimaryOrAnUnknownRegionIsRefused(string region, string message)
    {
        var config = StackConfigFile.Read("prod");
        config[TopologyStack.RebuildKey] = region;

        var (error, mocks) = await FailedRunAsync("prod", config);

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(mocks.Registered);
    }

    [Theory]
    [InlineData(false, "eu")]
    [InlineData(true, "ap")]
    public async Task OutputsReportTheTargetAsPrimaryOncePromoted(bool promoted, string primary)
    {
        var deployment = await MockedDeployment.RunAsync("prod", Config("prod", to: "ap", token: promoted ? Token : null));

        var regions = await OutputUtilities.GetValueAsync(deployment.Stack.Regions);
        Assert.Equal(primary, await OutputUtilities.GetValueAsync(deployment.Stack.PrimaryRegion));
        var roles = regions.ToDictionary(r => (string)r["name"], r => (string)r["role"]);
        Assert.Equal(["eu", "us", "ap"], roles.Keys);
        Assert.All(roles, role => Assert.Equal(role.Key == primary ? "primary" : "replica", role.Value));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AThreeRegionSwitchoverToTheThirdRegionPointsTwinsAtIt(bool promoted)
    {
        var deployment = await RecordedRunAsync("prod", Config("prod", to: "ap", token: promoted ? Token : null));

        var twins = deployment.Mocks.OfType("crosscluster:index:CrossClusterEndpoint").Select(e => e.Name!).ToList();
        Assert.Equal(6, twins.Count);
        // The demoted primary follows the target, through twins of the target's services instead of its old peer us's.
        Assert.Contains("eu-pg-ap-rw", twins);
        Assert.Contains("eu-pg-ap-pooler-rw", twins);
        Assert.DoesNotContain(twins, t => t.StartsWith("eu-pg-us-", StringComparison.Ordinal));
        // Once the target is promoted the third region follows it too, at the address of the target's own exposure.
        var followed = promoted ? "ap" : "eu";
        var twin = Assert.Single(deployment.Mocks.OfType("kubernetes:core/v1:Service"), s => s.Name == $"us-pg-{followed}-rw-service");
        Assert.Equal(deployment.Mocks.LoadBalancerAddresses[$"{followed}-cnpg-pg-{followed}-rw-exposed"], Inputs.At(twin.Inputs, "spec", "externalName"));
        // Replica Clusters still wait for the region whose data they recovered from, and for their own twins; its
        // bootstrap Backup only through the wait that runs when they are created.
        var dependencies = await RecordedTopologyStack.DependenciesOf("us-cnpg-pg-us-cluster");
        Assert.Contains("eu-cnpg-pg-eu-cluster", dependencies);
        Assert.Contains("us-cnpg-bootstrap-wait", dependencies);
        Assert.DoesNotContain("eu-cnpg-pg-eu-bootstrap-backup", dependencies);
        Assert.Contains($"us-pg-{followed}-rw", dependencies);
    }

    private static Dictionary<string, string> Config(string stack, string? to, string? token)
    {
        var config = StackConfigFile.Read(stack);
        if (to is not null)
        {
            var topology = JsonNode.Parse(config[TopologyConfigLoader.ConfigKey])!;
            topology["switchover"] = new JsonObject { ["to"] = to };
            config[TopologyConfigLoader.ConfigKey] = topology.ToJsonString();
        }

        if (token is not null)
        {
            config[TopologyStack.PromotionTokenKey] = token;
        }

        return config;
    }

    private static Dictionary<string, IReadOnlyDictionary<string, object?>> Replicas(MockedDeployment deployment) =>
        deployment.Mocks.OfType(ClusterType).ToDictionary(
            c => ((string)Inputs.At(c.Inputs, "metadata", "name")!)["pg-".Length..],
            c => (IReadOnlyDictionary<string, object?>)Inputs.At(c.Inputs, "spec", "replica")!);

    private static Task<MockedDeployment> RecordedRunAsync(string stack, Dictionary<string, string> config)
    {
        RecordedTopologyStack.Reset();
        return MockedDeployment.RunAsync<RecordedTopologyStack>(stack, config, MockedDeployment.MocksFor(config));
    }

    private static async Task<(Exception Error, TopologyMocks Mocks)> FailedRunAsync(string stack, Dictionary<string, string> config)
    {
        var mocks = MockedDeployment.MocksFor(StackConfigFile.Read(stack));
        StackConfigFile.Use(config);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Deployment.TestAsync<TopologyStack>(
            mocks.Engine.Object, new Pulumi.Testing.TestOptions { IsPreview = false, ProjectName = "cross-cluster-dr", StackName = stack }));
        return (error, mocks);
    }
}
