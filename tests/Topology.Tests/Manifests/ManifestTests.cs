using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Tests.Topology.Manifests;

public sealed class ManifestTests
{
    private static readonly TopologyConfig Dev = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("dev"));
    private static readonly TopologyConfig Prod = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("prod"));

    [Fact]
    public void NoSecretHoldsAnyCertificateAuthorityKey()
    {
        var keys = TopologyManifests.For(Prod).SelectMany(r => r.Secrets).SelectMany(Materials).Where(m => m.Part == MaterialPart.PrivateKey).ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, m => Assert.False(m.Certificate.IsCertificateAuthority, $"{m.Certificate.Id} is a CA and its key is in a Secret"));
    }

    [Fact]
    public void CaSecretsHoldTheRootAndLeafSecretsHoldChainAndKey()
    {
        var eu = TopologyManifests.For(Dev)[0];

        foreach (var secret in eu.Secrets)
        {
            var data = Data(secret);
            if (secret.Name.EndsWith("-ca", StringComparison.Ordinal))
            {
                var anchor = Assert.Single(data);
                Assert.Equal("ca.crt", anchor.Key);
                Assert.Equal(new SecretMaterial(PkiPlan.For(Dev).Root, MaterialPart.Certificate), anchor.Value);
            }
            else
            {
                Assert.Equal("kubernetes.io/tls", secret.Body["type"]);
                Assert.Equal(MaterialPart.Chain, data["tls.crt"].Part);
                Assert.Equal(MaterialPart.PrivateKey, data["tls.key"].Part);
                Assert.Equal(data["tls.crt"].Certificate, data["tls.key"].Certificate);
            }

            Assert.Equal("true", secret.Labels["cnpg.io/reload"]);
        }
    }

    [Fact]
    public void ReplicaStreamsFromPrimaryOverVerifyFull()
    {
        var us = TopologyManifests.For(Dev).Single(r => r.Region == "us");
        var spec = Map(us.Cluster.Body["spec"]);
        var primary = ExternalCluster(spec, "pg-eu");
        var connection = Map(primary["connectionParameters"]);

        Assert.Equal("pg-eu-rw", connection["host"]);
        Assert.Equal("verify-full", connection["sslmode"]);
        Assert.Equal("streaming_replica", connection["user"]);
        Assert.Equal(("pg-us-replication-tls", "tls.crt"), Ref(primary["sslCert"]));
        Assert.Equal(("pg-us-replication-tls", "tls.key"), Ref(primary["sslKey"]));
        Assert.Equal(("pg-us-server-ca", "ca.crt"), Ref(primary["sslRootCert"]));
        Assert.Equal("pg-eu", Map(Map(spec["bootstrap"])["recovery"])["source"]);
        Assert.Equal(("pg-us", "pg-eu", "pg-eu"), Replica(spec));
    }

    [Fact]
    public void PrimaryBootstrapsWithInitdbAndCanStreamFromEveryOtherMember()
    {
        var spec = Map(TopologyManifests.For(Dev).Single(r => r.Region == "eu").Cluster.Body["spec"]);

        Assert.True(Map(spec["bootstrap"]).ContainsKey("initdb"));
        Assert.False(ExternalCluster(spec, "pg-eu").ContainsKey("connectionParameters"));
        Assert.Equal("pg-us-rw", Map(ExternalCluster(spec, "pg-us")["connectionParameters"])["host"]);
        Assert.Equal(("pg-eu", "pg-eu", "pg-us"), Replica(spec));
    }

    [Fact]
    public void ArchiveOnlyReplicationDropsTheStreamingConnection()
    {
        var archive = Prod with { Replication = new ReplicationSettings { Mode = ReplicationMode.Archive } };

        var spec = Map(TopologyManifests.For(archive).Single(r => r.Region == "us").Cluster.Body["spec"]);

        Assert.Equal(["pg-eu", "pg-us"], List(spec["externalClusters"]).Select(e => (string)Map(e)["name"]!).Order(StringComparer.Ordinal));
        Assert.All(List(spec["externalClusters"]).Select(Map), e => Assert.False(e.ContainsKey("connectionParameters")));
        Assert.All(List(spec["externalClusters"]).Select(Map), e => Assert.True(e.ContainsKey("plugin")));
    }

    // Issue 8: CNPG's docs require every member in every Cluster's externalClusters, and a demoted primary must be
    // able to stream from whichever member is promoted instead of falling back to the archive.
    [Theory]
    [InlineData("eu", "pg-us")]
    [InlineData("us", "pg-eu")]
    [InlineData("ap", "pg-eu")]
    public void EveryClusterListsEveryMemberEachOtherAsAStreamingSource(string region, string peer)
    {
        var manifests = TopologyManifests.For(Prod).Single(r => r.Region == region);
        var spec = Map(manifests.Cluster.Body["spec"]);

        Assert.Equal(Prod.Regions.Select(r => (object?)$"pg-{r.Name}"), List(spec["externalClusters"]).Select(e => Map(e)["name"]));
        foreach (var member in Prod.Regions.Select(r => $"pg-{r.Name}").Where(m => m != $"pg-{region}"))
        {
            var entry = ExternalCluster(spec, member);
            Assert.Equal($"{member}-rw", Map(entry["connectionParameters"])["host"]);
            Assert.Equal("verify-full", Map(entry["connectionParameters"])["sslmode"]);
            Assert.Equal(($"pg-{region}-replication-tls", "tls.crt"), Ref(entry["sslCert"]));
            Assert.Equal(($"pg-{region}-replication-tls", "tls.key"), Ref(entry["sslKey"]));
            Assert.Equal(($"pg-{region}-server-ca", "ca.crt"), Ref(entry["sslRootCert"]));
        }

        Assert.Equal(new[] { $"pg-{region}", peer }.Order(StringComparer.Ordinal), List(spec["externalClusters"]).Select(Map).Where(e => e.ContainsKey("plugin")).Select(e => (string)e["name"]!).Order(StringComparer.Ordinal));
        Assert.Equal(2, manifests.ObjectStores.Count);
    }

    [Fact]
    public void ClusterAndPoolerAreAwaitedByPulumi()
    {
        foreach (var region in TopologyManifests.For(Prod))
        {
            Assert.Equal("condition=Ready", region.Cluster.Annotations["pulumi.com/waitFor"]);
            Assert.Equal("jsonpath={.status.phase}=active", region.Pooler.Annotations["pulumi.com/waitFor"]);
            Assert.All([region.Cluster, region.Pooler], m => Assert.True(int.Parse(m.Annotations["pulumi.com/timeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture) > 0));
        }
    }

    [Theory]
    [InlineData("us", "eu")]
    [InlineData("ap", "eu")]
    [InlineData("eu", "us")]
    public void RegionGetsTwinsOfItsPeersServicesPointingAtTheExposedAddress(string local, string peer)
    {
        var manifests = TopologyManifests.For(Prod).Single(r => r.Region == local);
        var remote = Prod.Regions.Single(r => r.Name == peer);

        var twin = Assert.Single(manifests.RemoteEndpoints, m => m.Kind == "Service" && m.Name == $"pg-{peer}-rw");
        Assert.False(Map(twin.Body["spec"]).ContainsKey("selector"));
        var slice = Assert.Single(manifests.RemoteEndpoints, m => m.Kind == "EndpointSlice" && m.Labels["kubernetes.io/service-name"] == $"pg-{peer}-rw");
        Assert.Equal(remote.Exposure!.Address, List(Map(List(slice.Body["endpoints"]).Single())["addresses"]).Single());
        Assert.Equal(remote.Exposure.RwPort, Map(List(slice.Body["ports"]).Single())["port"]);
        var pooler = Assert.Single(manifests.RemoteEndpoints, m => m.Kind == "EndpointSlice" && m.Labels["kubernetes.io/service-name"] == $"pg-{peer}-pooler-rw");
        Assert.Equal(remote.Exposure.PoolerPort, Map(List(pooler.Body["ports"]).Single())["port"]);
        Assert.Equal(["Service", "EndpointSlice", "Service", "EndpointSlice"], manifests.RemoteEndpoints.Select(m => m.Kind));
    }

    [Fact]
    public void TwinOfAPeerThatDiscoversItsAddressIsAnIpv4SliceAwaitingIt()
    {
        var topology = TopologyConfigLoader.FromStackYaml(Config.ConfigYaml.With("address: 172.18.0.2", $"address: {ExposureConfig.DiscoveredAddress}"));

        var us = TopologyManifests.For(topology).Single(r => r.Region == "us");

        var slice = Assert.Single(us.RemoteEndpoints, m => m.Kind == "EndpointSlice" && m.Labels["kubernetes.io/service-name"] == "pg-eu-rw");
        Assert.Equal("IPv4", slice.Body["addressType"]);
        Assert.Equal(ExposureConfig.DiscoveredAddress, List(Map(List(slice.Body["endpoints"]).Single())["addresses"]).Single());
    }

    [Fact]
    public void ObjectCountGrowsLinearlyWithRegions()
    {
        var regions = Enumerable.Range(0, 8).Select(i => Prod.Regions[0] with
        {
            Name = $"r{i}",
            KubeContext = $"context-{i}",
            ObjectStore = Prod.Regions[0].ObjectStore! with { Name = $"store-{i}" },
            Exposure = Prod.Regions[0].Exposure! with { Address = $"10.0.0.{i + 1}" },
        }).ToList();

        int Objects(int count) => TopologyManifests.For(Prod with { PrimaryRegion = "r0", Regions = regions.Take(count).ToList() }).Sum(r => r.All.Count());

        Assert.Equal(Objects(4) - Objects(2), Objects(8) - Objects(6));
    }

    [Fact]
    public void NodePortExposurePublishesTheConfiguredPorts()
    {
        var eu = TopologyManifests.For(Dev)[0];
        var rw = Assert.Single(eu.Exposures, m => m.Name == "pg-eu-rw-exposed");
        var spec = Map(rw.Body["spec"]);

        Assert.Equal("NodePort", spec["type"]);
        Assert.Equal(Dev.Regions[0].Exposure!.RwPort, Map(List(spec["ports"]).Single())["nodePort"]);
        Assert.Equal("primary", Map(spec["selector"])["cnpg.io/instanceRole"]);
    }

    private static IEnumerable<SecretMaterial> Materials(Manifest secret) => Data(secret).Values;

    private static Dictionary<string, SecretMaterial> Data(Manifest secret) =>
        Map(secret.Body["data"]).ToDictionary(p => p.Key, p => Assert.IsType<SecretMaterial>(p.Value));

    private static IReadOnlyDictionary<string, object?> Map(object? value) => Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(value);

    private static List<object?> List(object? value) => Assert.IsAssignableFrom<System.Collections.IEnumerable>(value).Cast<object?>().ToList();

    private static IReadOnlyDictionary<string, object?> ExternalCluster(IReadOnlyDictionary<string, object?> spec, string name) =>
        List(spec["externalClusters"]).Select(Map).Single(e => (string?)e["name"] == name);

    private static (object?, object?) Ref(object? value) => (Map(value)["name"], Map(value)["key"]);

    private static (object?, object?, object?) Replica(IReadOnlyDictionary<string, object?> spec)
    {
        var replica = Map(spec["replica"]);
        return (replica["self"], replica["primary"], replica["source"]);
    }
}
