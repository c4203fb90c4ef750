using Pulumi.Testing;

namespace CrossClusterIac.Tests.Infra;

/// <summary>The CNPG and Kubernetes resources of a mocked deployment.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class CnpgResourcesTests
{
    private const string ClusterType = "kubernetes:postgresql.cnpg.io/v1:Cluster";

    [Fact]
    public async Task EveryKubernetesResourceIsOnItsOwnRegionsProvider()
    {
        var deployment = await MockedDeployment.RunAsync("prod");

        var kubernetes = deployment.Mocks.Registered.Where(r => r.Type!.StartsWith("kubernetes:", StringComparison.Ordinal)).ToList();
        Assert.Contains(kubernetes, r => r.Type == "kubernetes:core/v1:Namespace");
        Assert.NotEmpty(kubernetes);
        Assert.All(kubernetes, resource =>
        {
            var region = deployment.Pki.Plan.Regions.Select(r => r.Region).Where(r => resource.Name!.StartsWith($"{r}-", StringComparison.Ordinal)).MaxBy(r => r.Length);
            Assert.NotNull(region);
            Assert.Contains($"pulumi:providers:kubernetes::{region}-k8s::", resource.Provider ?? string.Empty, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task ReplicaStreamsFromPrimaryOverVerifyFull()
    {
        var deployment = await MockedDeployment.RunAsync("dev");
        var primary = deployment.Pki.Plan.Regions.Select(r => r.Region).First(r => Cluster(deployment, r) is { } c && Inputs.At(c.Inputs, "spec", "bootstrap", "initdb") is not null);
        var replica = deployment.Pki.Plan.Regions.Select(r => r.Region).First(r => r != primary);

        var spec = Inputs.At(Cluster(deployment, replica)!.Inputs, "spec");
        var source = Inputs.Items(Inputs.At(spec, "externalClusters")).Single(c => (string?)Inputs.At(c, "name") == $"pg-{primary}");

        Assert.Equal($"pg-{primary}", Inputs.At(spec, "bootstrap", "recovery", "source"));
        Assert.Equal($"pg-{primary}", Inputs.At(spec, "replica", "primary"));
        Assert.Equal("verify-full", Inputs.At(source, "connectionParameters", "sslmode"));
        Assert.Equal("streaming_replica", Inputs.At(source, "connectionParameters", "user"));
        Assert.Equal($"pg-{primary}-rw", Inputs.At(source, "connectionParameters", "host"));
        Assert.Equal($"pg-{replica}-replication-tls", Inputs.At(source, "sslCert", "name"));
        Assert.Equal("tls.crt", Inputs.At(source, "sslCert", "key"));
        Assert.Equal($"pg-{replica}-replication-tls", Inputs.At(source, "sslKey", "name"));
        Assert.Equal("tls.key", Inputs.At(source, "sslKey", "key"));
        Assert.Equal($"pg-{replica}-server-ca", Inputs.At(source, "sslRootCert", "name"));
        Assert.Equal("ca.crt", Inputs.At(source, "sslRootCert", "key"));
    }

    [Fact]
    public async Task ReplicaRegionReachesThePrimaryByItsOwnServiceName()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var slice = Assert.Single(deployment.Mocks.OfType("kubernetes:discovery.k8s.io/v1:EndpointSlice"), s => (string?)Inputs.At(s.Inputs, "metadata", "labels", "kubernetes.io/service-name") == "pg-eu-rw");
        var endpoint = Inputs.Items(Inputs.At(slice.Inputs, "endpoints")).Single();

        Assert.StartsWith("us-", slice.Name, StringComparison.Ordinal);
        Assert.Contains(deployment.Mocks.OfType("kubernetes:core/v1:Service"), s => (string?)Inputs.At(s.Inputs, "metadata", "name") == "pg-eu-rw" && Inputs.At(s.Inputs, "spec", "selector") is null);
        Assert.Equal(deployment.Mocks.NodeAddresses["kind-k8s-eu"], Assert.Single(Inputs.Items(Inputs.At(endpoint, "addresses"))));
    }

    [Fact]
    public async Task ClusterAndPoolerAreAwaitedUntilReady()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        var awaited = deployment.Mocks.OfType(ClusterType).Concat(deployment.Mocks.OfType("kubernetes:postgresql.cnpg.io/v1:Pooler")).ToList();
        Assert.Equal(4, awaited.Count);
        Assert.All(awaited, resource =>
        {
            Assert.False(string.IsNullOrWhiteSpace(Inputs.At(resource.Inputs, "metadata", "annotations", "pulumi.com/waitFor") as string));
            Assert.NotNull(Inputs.At(resource.Inputs, "metadata", "annotations", "pulumi.com/timeoutSeconds"));
        });
    }

    private static MockResourceArgs? Cluster(MockedDeployment deployment, string region) =>
        deployment.Mocks.OfType(ClusterType).SingleOrDefault(c => (string?)Inputs.At(c.Inputs, "metadata", "name") == $"pg-{region}");
}
