using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossClusterIac.Infra.Stacks;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using Pulumi;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>The stack as a whole: config handling, resource counts, parenting and the outputs contract.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class TopologyStackTests
{
    [Fact]
    public async Task TwoRegionsDeclareOneSetOfResourcesAndPeerEndpointsPerRegion()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        Assert.Equal(Expected(regions: 2, namespaces: 0, slices: 4), Counts(deployment));
    }

    [Fact]
    public async Task ThreeRegionsDeclareOneSetOfResourcesAndPeerEndpointsPerRegion()
    {
        var deployment = await MockedDeployment.RunAsync("prod");

        Assert.Equal(Expected(regions: 3, namespaces: 3, slices: 0, monitored: true), Counts(deployment));
    }

    [Fact]
    public async Task ChildrenAreParentedToTheirComponentAndNamedAfterIt()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var expectedParent = new Dictionary<string, string>
        {
            ["tls:index/selfSignedCert:SelfSignedCert"] = "crosscluster:index:SharedRootCa",
            ["tls:index/locallySignedCert:LocallySignedCert"] = "crosscluster:index:RegionalPki",
            ["tls:index/certRequest:CertRequest"] = "crosscluster:index:RegionalPki",
            ["kubernetes:core/v1:Secret"] = "crosscluster:index:RegionalPki",
            ["kubernetes:postgresql.cnpg.io/v1:Cluster"] = "crosscluster:index:CnpgReplicaCluster",
            ["kubernetes:postgresql.cnpg.io/v1:Pooler"] = "crosscluster:index:CnpgReplicaCluster",
            ["kubernetes:barmancloud.cnpg.io/v1:ObjectStore"] = "crosscluster:index:CnpgReplicaCluster",
            ["kubernetes:discovery.k8s.io/v1:EndpointSlice"] = "crosscluster:index:CrossClusterEndpoint",
        };
        // The mocked monitor builds a child's URN from the root type only, so parenting is read from the SDK's
        // own registry of children, which is what the real engine's URN type chain is built from.
        var childResources = typeof(Resource).GetProperty("ChildResources", BindingFlags.NonPublic | BindingFlags.Instance)
            ?? throw new InvalidOperationException("Pulumi.Resource no longer keeps ChildResources.");
        var parentOf = new Dictionary<Resource, Resource>();
        foreach (var resource in deployment.Resources)
        {
            foreach (var child in (IEnumerable<Resource>)childResources.GetValue(resource)!)
            {
                parentOf[child] = resource;
            }
        }

        var checkedCount = 0;
        foreach (var resource in deployment.Resources.OfType<Pulumi.CustomResource>())
        {
            if (expectedParent.TryGetValue(resource.GetResourceType(), out var parent))
            {
                Assert.True(parentOf.TryGetValue(resource, out var actual), $"{resource.GetResourceName()} has no parent");
                Assert.Equal(parent, actual!.GetResourceType());
                Assert.StartsWith($"{actual.GetResourceName()}-", resource.GetResourceName(), StringComparison.Ordinal);
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 50, $"only {checkedCount} children checked");
    }

    [Fact]
    public async Task InvalidConfigStopsWithTheLoadersMessageAndRegistersNothing()
    {
        var config = StackConfigFile.Read("dev");
        var topology = JsonNode.Parse(config["cross-cluster-dr:topology"])!;
        topology["primaryRegion"] = "atlantis";
        topology["regions"]![0]!["exposure"]!["rwPort"] = 70000;
        config["cross-cluster-dr:topology"] = topology.ToJsonString();
        var loaderMessage = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromJson(config["cross-cluster-dr:topology"])).Message;

        var mocks = new TopologyMocks(CrossClusterIac.Topology.Pki.CertificateIssuer.Issue(
            CrossClusterIac.Topology.Pki.PkiPlan.For(TopologyConfigLoader.FromJson(StackConfigFile.Topology("dev")))));
        StackConfigFile.Use(config);
        var error = await Assert.ThrowsAnyAsync<Exception>(() => Pulumi.Deployment.TestAsync<TopologyStack>(
            mocks.Engine.Object, new Pulumi.Testing.TestOptions { IsPreview = false, ProjectName = "cross-cluster-dr", StackName = "dev" }));

        Assert.Contains(loaderMessage, error.Message, StringComparison.Ordinal);
        Assert.Empty(mocks.Registered);
    }

    [Fact]
    public async Task TheStackExportsWhatItDeployedAndARunOnItIsNotRefused()
    {
        var config = StackConfigFile.Read("prod");
        var first = await MockedDeployment.RunAsync("prod", config);
        var exported = await OutputUtilities.GetValueAsync(first.Stack.DeployedIdentity);

        var mocks = MockedDeployment.MocksFor(config);
        mocks.PreviousOutputs = ImmutableDictionary<string, object>.Empty.Add(DeployedIdentity.OutputName, exported);
        var second = await MockedDeployment.RunAsync<TopologyStack>("prod", config, mocks);

        var deployed = DeployedIdentity.Of(TopologyConfigLoader.FromJson(config[TopologyConfigLoader.ConfigKey]));
        var read = DeployedIdentity.FromJson(exported.GetRawText())!;
        Assert.Equal(deployed.Namespace, read.Namespace);
        Assert.Equal(deployed.Regions, read.Regions);
        Assert.NotEmpty(second.Mocks.OfType("kubernetes:postgresql.cnpg.io/v1:Cluster"));
        var reference = Assert.Single(mocks.OfType("pulumi:pulumi:StackReference"));
        Assert.Equal("organization/cross-cluster-dr/prod", (string?)Inputs.At(reference.Inputs, "name"));
    }

    [Theory]
    [InlineData("namespace", "topology.namespace")]
    [InlineData("region", "topology.regions[1].name")]
    public async Task ARenameStopsTheRunNamingTheKeyBeforeAnyKubernetesResourceIsRegistered(string renamed, string key)
    {
        var config = StackConfigFile.Read("prod");
        var deployed = DeployedIdentity.Of(TopologyConfigLoader.FromJson(config[TopologyConfigLoader.ConfigKey]));
        var before = renamed == "namespace"
            ? deployed with { Namespace = "databases-old" }
            : deployed with { Regions = [.. deployed.Regions.Select((r, i) => i == 1 ? r with { Name = "old" } : r)] };
        var mocks = MockedDeployment.MocksFor(config);
        mocks.PreviousOutputs = ImmutableDictionary<string, object>.Empty.Add(DeployedIdentity.OutputName, JsonSerializer.Deserialize<JsonElement>(before.ToJson()));

        var error = await Assert.ThrowsAnyAsync<Exception>(() => MockedDeployment.RunAsync<TopologyStack>("prod", config, mocks));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains("Set it back to", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(mocks.Registered, r => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal) || r.Type.StartsWith("tls:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AStackFileThatMovesThePrimaryWithoutAFailoverIsRefusedAndAppliedWithTheFailoverKey()
    {
        var config = StackConfigFile.Read("prod");
        var deployed = DeployedIdentity.Of(TopologyConfigLoader.FromJson(config[TopologyConfigLoader.ConfigKey]));
        var topology = JsonNode.Parse(config[TopologyConfigLoader.ConfigKey])!;
        topology["primaryRegion"] = "us";
        config[TopologyConfigLoader.ConfigKey] = topology.ToJsonString();
        TopologyMocks Mocks()
        {
            var mocks = MockedDeployment.MocksFor(config);
            mocks.PreviousOutputs = ImmutableDictionary<string, object>.Empty.Add(DeployedIdentity.OutputName, JsonSerializer.Deserialize<JsonElement>(deployed.ToJson()));
            return mocks;
        }

        var refusing = Mocks();
        var error = await Assert.ThrowsAnyAsync<Exception>(() => MockedDeployment.RunAsync<TopologyStack>("prod", config, refusing));

        Assert.Contains("topology.primaryRegion", error.Message, StringComparison.Ordinal);
        Assert.Contains("dr failover --to us", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(refusing.Registered, r => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal));

        config[TopologyConfigLoader.FailoverKey] = "us";
        var applied = await MockedDeployment.RunAsync<TopologyStack>("prod", config, Mocks());
        Assert.Equal("us", await OutputUtilities.GetValueAsync(applied.Stack.PrimaryRegion));
    }

    [Fact]
    public async Task PgWriterLeadsToThePrimaryRegionsPoolerInEveryRegionAndTheOutputsSayHowItIsReached()
    {
        var config = StackConfigFile.Read("prod");
        var deployment = await MockedDeployment.RunAsync("prod", config);
        var topology = TopologyConfigLoader.FromJson(config[TopologyConfigLoader.ConfigKey]);
        var primary = new CrossClusterIac.Topology.Naming.ClusterNames(topology.PrimaryRegion!, topology.Namespace.Name);

        var writers = deployment.Mocks.OfType("kubernetes:core/v1:Service").Where(s => (string?)Inputs.At(s.Inputs, "metadata", "name") == "pg-writer").ToList();
        Assert.Equal(topology.Regions.Count, writers.Count);
        Assert.All(writers, s =>
        {
            Assert.Equal("ExternalName", (string?)Inputs.At(s.Inputs, "spec", "type"));
            Assert.Equal(primary.ServiceFqdn(primary.Pooler), (string?)Inputs.At(s.Inputs, "spec", "externalName"));
        });
        var writer = await OutputUtilities.GetValueAsync(deployment.Stack.Writer);
        var regions = await OutputUtilities.GetValueAsync(deployment.Stack.Regions);
        var pooler = (ImmutableDictionary<string, object>)regions.Single(r => (string)r["name"] == topology.PrimaryRegion)["pooler"];
        Assert.Equal(pooler["host"], writer["host"]);
        Assert.Equal(pooler["port"], writer["port"]);
        Assert.Equal("pg-writer", writer["serverName"]);
    }

    [Fact]
    public void StackExportsExactlyTheOutputsContract()
    {
        var names = typeof(TopologyStack).GetProperties(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Select(p => p.GetCustomAttribute<OutputAttribute>()?.Name)
            .OfType<string>()
            .Order(StringComparer.Ordinal);

        var contract = typeof(TopologyOutputs).GetProperties()
            .Select(p => TopologyOutputsJson.Options.PropertyNamingPolicy!.ConvertName(p.Name))
            .Order(StringComparer.Ordinal);

        Assert.Equal(contract, names);
    }

    [Fact]
    public async Task AutoAddressIsReadFromEachRegionsOwnCluster()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var contexts = deployment.Mocks.Calls.Select(TopologyMocks.KubeContextOf);
        Assert.Equal(["kind-k8s-eu", "kind-k8s-us"], contexts.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ConfiguredAddressesRunNoCommand()
    {
        var deployment = await MockedDeployment.RunAsync("prod");

        Assert.Empty(deployment.Mocks.Calls);
    }

    [Fact]
    public async Task DiscoveredAddressIsWhatVerifyDials()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var regions = await OutputUtilities.GetValueAsync(deployment.Stack.Regions);
        var eu = regions.Single(r => (string)r["name"] == "eu");
        Assert.Equal(deployment.Mocks.NodeAddresses["kind-k8s-eu"], ((IReadOnlyDictionary<string, object>)eu["instance"])["host"]);
        Assert.Equal(deployment.Mocks.NodeAddresses["kind-k8s-eu"], ((IReadOnlyDictionary<string, object>)eu["pooler"])["host"]);
    }

    [Fact]
    public async Task ARegionWhoseClusterDoesNotAnswerKeepsTheAddressItsLastDeploymentExported()
    {
        var config = StackConfigFile.Read("dev");
        var first = await MockedDeployment.RunAsync("dev", config);
        var regions = await OutputUtilities.GetValueAsync(first.Stack.Regions);
        var identity = await OutputUtilities.GetValueAsync(first.Stack.DeployedIdentity);
        var euAddress = first.Mocks.NodeAddresses["kind-k8s-eu"];

        var mocks = MockedDeployment.MocksFor(config);
        mocks.UnreachableContexts.Add("kind-k8s-eu");
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => MockedDeployment.RunAsync<TopologyStack>("dev", config, mocks));
        Assert.Contains("topology.regions[0].exposure.address is 'auto', and kubectl could not read the nodes of kube context 'kind-k8s-eu'", refused.Message, StringComparison.Ordinal);

        var again = MockedDeployment.MocksFor(config);
        again.UnreachableContexts.Add("kind-k8s-eu");
        again.PreviousOutputs = ImmutableDictionary<string, object>.Empty.Add("regions", regions).Add(DeployedIdentity.OutputName, identity);
        var second = await MockedDeployment.RunAsync<TopologyStack>("dev", config, again);

        var eu = (await OutputUtilities.GetValueAsync(second.Stack.Regions)).Single(r => (string)r["name"] == "eu");
        Assert.Equal(euAddress, ((IReadOnlyDictionary<string, object>)eu["pooler"])["host"]);
    }

    [Fact]
    public async Task StackOutputsParseWithTheOutputsContract()
    {
        var deployment = await MockedDeployment.RunAsync("prod");
        var stack = deployment.Stack;
        var config = TopologyConfigLoader.FromJson(StackConfigFile.Topology("prod"));

        var json = new JsonObject
        {
            ["schemaVersion"] = await OutputUtilities.GetValueAsync(stack.SchemaVersion),
            ["environment"] = await OutputUtilities.GetValueAsync(stack.Environment),
            ["primaryRegion"] = await OutputUtilities.GetValueAsync(stack.PrimaryRegion),
            ["database"] = await OutputUtilities.GetValueAsync(stack.Database),
            ["rootCaCertificate"] = await OutputUtilities.GetValueAsync(stack.RootCaCertificate),
            ["regions"] = JsonSerializer.SerializeToNode(await OutputUtilities.GetValueAsync(stack.Regions)),
            ["clientKeys"] = JsonSerializer.SerializeToNode(await OutputUtilities.GetValueAsync(stack.ClientKeys)),
        };
        var outputs = TopologyOutputsJson.Parse(json.ToJsonString());

        Assert.Equal("prod", outputs.Environment);
        Assert.Equal(config.PrimaryRegion, outputs.PrimaryRegion);
        Assert.Equal(deployment.Pki.Root.CertificatePem.Trim(), outputs.RootCaCertificate.Trim());
        Assert.Equal(config.Regions.Select(r => r.Name!), outputs.Regions.Select(r => r.Name));
        foreach (var (region, output) in config.Regions.Zip(outputs.Regions))
        {
            var certificates = deployment.Pki.Plan.ForRegion(region.Name!);
            // Each LoadBalancer Service has its own address, read from its status.
            Assert.Equal(new Endpoint(deployment.Mocks.LoadBalancerAddresses[$"{region.Name}-cnpg-pg-{region.Name}-rw-exposed"], 5432, $"pg-{region.Name}-rw"), output.Instance);
            Assert.Equal(new Endpoint(deployment.Mocks.LoadBalancerAddresses[$"{region.Name}-cnpg-pg-{region.Name}-pooler-rw-exposed"], 5432, $"pg-{region.Name}-pooler-rw"), output.Pooler);
            Assert.NotEqual(output.Instance.Host, output.Pooler.Host);
            Assert.Equal(deployment.Pki[certificates.App].ChainPem.Trim(), output.Clients[ClientNames.App].CertificateChain.Trim());
            Assert.Equal(certificates.App.CommonName, output.Clients[ClientNames.App].User);
            Assert.Equal(deployment.Pki[certificates.Verify].PrivateKeyPem, outputs.ClientKeys[region.Name!][ClientNames.Verify]);
        }
    }

    private static Dictionary<string, int> Counts(MockedDeployment deployment) =>
        deployment.Mocks.Registered.GroupBy(r => r.Type!).ToDictionary(g => g.Key, g => g.Count());

    private static Dictionary<string, int> Expected(int regions, int namespaces, int slices, bool monitored = false) => new Dictionary<string, int>
    {
        ["pulumi:pulumi:StackReference"] = 1, // the stack's own last deployment, read to refuse renames
        ["kubernetes:core/v1:Namespace"] = namespaces,
        ["kubernetes:postgresql.cnpg.io/v1:Backup"] = 1,
        ["command:local:Command"] = (2 * regions) - 1, // a pooler rollout per region, a bootstrap wait per replica region
        ["pulumi:providers:kubernetes"] = regions,
        ["crosscluster:index:SharedRootCa"] = 1,
        ["crosscluster:index:RegionalPki"] = regions,
        ["crosscluster:index:CnpgReplicaCluster"] = regions,
        ["crosscluster:index:CrossClusterEndpoint"] = 2 * regions,
        ["tls:index/privateKey:PrivateKey"] = 1 + (8 * regions),
        ["tls:index/selfSignedCert:SelfSignedCert"] = 1,
        ["tls:index/certRequest:CertRequest"] = 7 * regions,
        ["tls:index/locallySignedCert:LocallySignedCert"] = 7 * regions,
        ["kubernetes:core/v1:Secret"] = 6 * regions,
        ["kubernetes:postgresql.cnpg.io/v1:Cluster"] = regions,
        ["kubernetes:postgresql.cnpg.io/v1:Pooler"] = regions,
        ["kubernetes:barmancloud.cnpg.io/v1:ObjectStore"] = 2 * regions,
        ["kubernetes:postgresql.cnpg.io/v1:ScheduledBackup"] = regions,
        ["kubernetes:core/v1:Service"] = 6 * regions, // two exposures, two twins, pg-writer and pg-local
        ["kubernetes:discovery.k8s.io/v1:EndpointSlice"] = slices,
        ["kubernetes:monitoring.coreos.com/v1:PodMonitor"] = monitored ? 2 * regions : 0,
        ["kubernetes:monitoring.coreos.com/v1:PrometheusRule"] = monitored ? regions : 0,
        ["kubernetes:core/v1:ConfigMap"] = monitored ? regions : 0,
    }.Where(p => p.Value > 0).ToDictionary();
}
