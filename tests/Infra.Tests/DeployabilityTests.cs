using System.Text.Json;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Pki;
using Pulumi.Utilities;

namespace CrossClusterIac.Tests.Infra;

/// <summary>What a first <c>pulumi up</c> on real clusters needs: routed addresses, order, namespaces, readiness, stable runs.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class DeployabilityTests
{
    private const string ClusterType = "kubernetes:postgresql.cnpg.io/v1:Cluster";

    [Theory]
    [InlineData("prod", "us")]
    [InlineData("prod", "ap")]
    [InlineData("staging", "us")]
    public async Task ReplicaClustersWaitForThePrimaryClusterAndOnCreationForItsCompletedBootstrapBackup(string stack, string replica)
    {
        var deployment = await RecordedRunAsync(stack);

        var dependencies = await RecordedTopologyStack.DependenciesOf($"{replica}-cnpg-pg-{replica}-cluster");

        Assert.Contains("eu-cnpg-pg-eu-cluster", dependencies);
        Assert.Contains($"{replica}-cnpg-bootstrap-wait", dependencies);
        Assert.DoesNotContain("eu-cnpg-pg-eu-bootstrap-backup", dependencies);
        Assert.Contains($"{replica}-pg-eu-rw", dependencies);
        Assert.Equal(["eu-cnpg-pg-eu-bootstrap-backup"], await RecordedTopologyStack.DependenciesOf($"{replica}-cnpg-bootstrap-wait"));
        var wait = Assert.Single(deployment.Mocks.OfType("command:local:Command"), c => c.Name == $"{replica}-cnpg-bootstrap-wait");
        Assert.Equal("backup/pg-eu-bootstrap", Inputs.At(wait.Inputs, "create"));
        Assert.Equal("kubectl", Inputs.Items(Inputs.At(wait.Inputs, "interpreter"))[0]);
        Assert.Equal(["interpreter", "create"], RecordedTopologyStack.OptionsOf($"{replica}-cnpg-bootstrap-wait").IgnoreChanges);
        var backup = await RecordedTopologyStack.DependenciesOf("eu-cnpg-pg-eu-bootstrap-backup");
        Assert.Equal(["eu-cnpg-pg-eu-cluster"], backup.Where(d => d.Contains("cluster", StringComparison.Ordinal)));
        Assert.Null(Inputs.At(Assert.Single(deployment.Mocks.OfType("kubernetes:postgresql.cnpg.io/v1:Backup")).Inputs, "metadata", "annotations", "pulumi.com/waitFor"));
    }

    [Fact]
    public async Task ThePrimaryClusterWaitsForNoOtherRegion()
    {
        await RecordedRunAsync("prod");

        var dependencies = await RecordedTopologyStack.DependenciesOf("eu-cnpg-pg-eu-cluster");

        Assert.All(dependencies, d => Assert.StartsWith("eu-", d, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ExposureServicesWaitForTheirNamespaceAloneSoThatAGoneRegionsAddressesStayKnown()
    {
        var deployment = await RecordedRunAsync("prod");

        // A load balancer's address is the region's output: waiting for the Cluster, it would be unknown whenever the
        // Cluster's update fails, as it does in a region whose API does not answer (ResourceGraph.WaitsFor).
        Assert.Equal(["eu-namespace"], await RecordedTopologyStack.DependenciesOf("eu-cnpg-pg-eu-pooler-rw-exposed"));
        Assert.Equal(["eu-namespace"], await RecordedTopologyStack.DependenciesOf("eu-cnpg-pg-eu-rw-exposed"));
        Assert.Contains("eu-cnpg-pg-eu-pooler-rw-pooler", await RecordedTopologyStack.DependenciesOf("eu-cnpg-pooler-rollout"));
        var rollout = Assert.Single(deployment.Mocks.OfType("command:local:Command"), c => c.Name == "eu-cnpg-pooler-rollout");
        Assert.Equal(["kubectl", "--context", "prod-eu-west-1", "--namespace", "databases", "rollout", "status", "--timeout=600s"], Inputs.Items(Inputs.At(rollout.Inputs, "interpreter")));
        Assert.Equal("deployment/pg-eu-pooler-rw", Inputs.At(rollout.Inputs, "create"));
    }

    [Fact]
    public async Task EverythingInARegionWaitsForTheNamespaceTheProgramDeclares()
    {
        var deployment = await RecordedRunAsync("prod");

        var namespaced = deployment.Mocks.Registered
            .Where(r => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal) && r.Type != "kubernetes:core/v1:Namespace" && r.Name!.StartsWith("us-", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(namespaced);
        foreach (var resource in namespaced)
        {
            var dependencies = await RecordedTopologyStack.DependenciesOf(resource.Name!);
            Assert.True(dependencies.Contains("us-namespace") || dependencies.Any(d => d.StartsWith("us-", StringComparison.Ordinal) && d != "us-namespace"), $"{resource.Name} waits for nothing in its region");
        }

        Assert.Contains("us-namespace", await RecordedTopologyStack.DependenciesOf("us-pki-pg-us-server-tls"));
        Assert.Equal("databases", Inputs.At(Assert.Single(deployment.Mocks.OfType("kubernetes:core/v1:Namespace"), n => n.Name == "us-namespace").Inputs, "metadata", "name"));
    }

    [Fact]
    public async Task TwinsOfALoadBalancerThatReportsAHostnameAreExternalNamesToIt()
    {
        var deployment = await MockedDeployment.RunAsync("prod");

        var twin = Assert.Single(deployment.Mocks.OfType("kubernetes:core/v1:Service"), s => s.Name == "us-pg-eu-pooler-rw-service");
        Assert.Equal("ExternalName", Inputs.At(twin.Inputs, "spec", "type"));
        Assert.Equal(deployment.Mocks.LoadBalancerAddresses["eu-cnpg-pg-eu-pooler-rw-exposed"], Inputs.At(twin.Inputs, "spec", "externalName"));
        Assert.Empty(deployment.Mocks.OfType("kubernetes:discovery.k8s.io/v1:EndpointSlice"));
    }

    [Fact]
    public async Task TwinsOfALoadBalancerThatReportsAnIpAreSlicesToEachServicesOwnAddress()
    {
        var config = StackConfigFile.Read("prod");
        config["cross-cluster-dr:topology"] = config["cross-cluster-dr:topology"].Replace("\"ingress\":\"hostname\"", "\"ingress\":\"ip\"", StringComparison.Ordinal);
        var mocks = new TopologyMocks(CertificateIssuer.Issue(PkiPlan.For(TopologyConfigLoader.FromJson(config["cross-cluster-dr:topology"])))) { LoadBalancersReportHostnames = false };

        var deployment = await MockedDeployment.RunAsync<CrossClusterIac.Infra.Stacks.TopologyStack>("prod", config, mocks);

        var slices = deployment.Mocks.OfType("kubernetes:discovery.k8s.io/v1:EndpointSlice").Where(s => s.Name!.StartsWith("us-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, slices.Count);
        Assert.All(slices, s => Assert.Equal("IPv4", Inputs.At(s.Inputs, "addressType")));
        // A slice registers once its address resolves, in whichever order the two load balancers report: pair them by name.
        var addresses = slices.ToDictionary(s => s.Name!, s => Inputs.Items(Inputs.At(Inputs.Items(Inputs.At(s.Inputs, "endpoints")).Single(), "addresses")).Single());
        Assert.Equal(mocks.LoadBalancerAddresses["eu-cnpg-pg-eu-rw-exposed"], addresses["us-pg-eu-rw-endpoints"]);
        Assert.Equal(mocks.LoadBalancerAddresses["eu-cnpg-pg-eu-pooler-rw-exposed"], addresses["us-pg-eu-pooler-rw-endpoints"]);
    }

    [Fact]
    public async Task LoadBalancerExposuresAreInternalAndRanged()
    {
        var deployment = await MockedDeployment.RunAsync("staging");

        var exposures = deployment.Mocks.OfType("kubernetes:core/v1:Service").Where(s => (string?)Inputs.At(s.Inputs, "spec", "type") == "LoadBalancer").ToList();
        Assert.Equal(4, exposures.Count);
        Assert.All(exposures, e =>
        {
            Assert.Equal("internal", Inputs.At(e.Inputs, "metadata", "annotations", "service.beta.kubernetes.io/aws-load-balancer-scheme"));
            Assert.Equal(["10.0.0.0/8"], Inputs.Items(Inputs.At(e.Inputs, "spec", "loadBalancerSourceRanges")));
        });
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("staging")]
    [InlineData("prod")]
    public async Task ASecondRunOnTheSameStateGivesByteIdenticalOutputs(string stack)
    {
        var config = StackConfigFile.Read(stack);
        var mocks = new TopologyMocks(CertificateIssuer.Issue(PkiPlan.For(TopologyConfigLoader.FromJson(config["cross-cluster-dr:topology"]))));

        var first = await OutputsOf(await MockedDeployment.RunAsync<CrossClusterIac.Infra.Stacks.TopologyStack>(stack, config, mocks));
        var second = await OutputsOf(await MockedDeployment.RunAsync<CrossClusterIac.Infra.Stacks.TopologyStack>(stack, config, mocks));

        Assert.Equal(first, second);
    }

    private static async Task<MockedDeployment> RecordedRunAsync(string stack)
    {
        RecordedTopologyStack.Reset();
        var config = StackConfigFile.Read(stack);
        return await MockedDeployment.RunAsync<RecordedTopologyStack>(stack, config, MockedDeployment.MocksFor(config));
    }

    private static async Task<string> OutputsOf(MockedDeployment deployment)
    {
        var stack = deployment.Stack;
        return JsonSerializer.Serialize(new
        {
            Regions = await OutputUtilities.GetValueAsync(stack.Regions),
            Keys = await OutputUtilities.GetValueAsync(stack.ClientKeys),
            Root = await OutputUtilities.GetValueAsync(stack.RootCaCertificate),
        });
    }
}
