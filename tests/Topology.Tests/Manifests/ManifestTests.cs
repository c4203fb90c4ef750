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
    public void CaSecretsHoldTheTrustedRootsAndLeafSecretsHoldChainAndKey()
    {
        var eu = TopologyManifests.For(Dev)[0];

        foreach (var secret in eu.Secrets)
        {
            var data = Data(secret);
            if (secret.Name.EndsWith("-ca", StringComparison.Ordinal))
            {
                var anchor = Assert.Single(data);
                Assert.Equal("ca.crt", anchor.Key);
                Assert.Equal(new SecretMaterial(PkiPlan.For(Dev).Root, MaterialPart.TrustedRoots), anchor.Value);
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
        Assert.Equal("10", connection["connect_timeout"]);
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

        // Every member with its store: whichever a Cluster was bootstrapped from stays a way to recover from.
        Assert.Equal(archive.Regions.Select(r => $"pg-{r.Name}").Order(StringComparer.Ordinal), List(spec["externalClusters"]).Select(e => (string)Map(e)["name"]!).Order(StringComparer.Ordinal));
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
    public void ObjectStoresKeepWhatTheRetentionPolicySaysCompressEncryptAndTakeTheIamRoleWithoutASecret()
    {
        var prod = (IReadOnlyDictionary<string, object?>)TopologyManifests.For(Prod)[0].ObjectStores[0].Body["spec"]!;
        var dev = (IReadOnlyDictionary<string, object?>)TopologyManifests.For(Dev)[0].ObjectStores[0].Body["spec"]!;
        var configuration = Map(prod["configuration"]);

        Assert.Equal("60d", prod["retentionPolicy"]);
        Assert.Equal("30d", dev["retentionPolicy"]);
        Assert.Equal(new Dictionary<string, object?> { ["inheritFromIAMRole"] = true }, Map(configuration["s3Credentials"]));
        Assert.Equal("aws:kms", Map(configuration["data"])["encryption"]);
        Assert.Equal("aws:kms", Map(configuration["wal"])["encryption"]);
        Assert.Equal("gzip", Map(configuration["data"])["compression"]);
        Assert.Equal(4, Map(configuration["wal"])["maxParallel"]);
        Assert.True(Map(Map(dev["configuration"])["s3Credentials"]).ContainsKey("accessKeyId"));
        Assert.False(Map(Map(dev["configuration"])["wal"]).ContainsKey("encryption"));
        var cluster = (IReadOnlyDictionary<string, object?>)TopologyManifests.For(Prod)[0].Cluster.Body["spec"]!;
        Assert.Equal("arn:aws:iam::123456789012:role/example-prod-pg-backups", Map(Map(Map(cluster["serviceAccountTemplate"])["metadata"])["annotations"])["eks.amazonaws.com/role-arn"]);
    }

    [Fact]
    public void InstancesAndPoolersRequestResourcesSpreadAcrossZonesAndOneInstanceHasNoBudgetBlockingDrains()
    {
        var dev = TopologyManifests.For(Dev)[0];
        var prod = TopologyManifests.For(Prod)[0];
        IReadOnlyDictionary<string, object?> Spec(Manifest m) => (IReadOnlyDictionary<string, object?>)m.Body["spec"]!;

        Assert.Equal(false, Spec(dev.Cluster)["enablePDB"]);
        Assert.Equal(true, Spec(prod.Cluster)["enablePDB"]);
        Assert.Equal(true, Spec(TopologyManifests.For(Dev with { Postgres = Dev.Postgres with { EnablePdb = true } })[0].Cluster)["enablePDB"]);
        Assert.Equal("topology.kubernetes.io/zone", Map(Spec(prod.Cluster)["affinity"])["topologyKey"]);
        Assert.Equal("1Gi", Map(Map(Spec(dev.Cluster)["resources"])["limits"])["memory"]);
        Assert.Equal("gp3", Map(Spec(prod.Cluster)["storage"])["storageClass"]);
        Assert.Equal("gp3", Map(Spec(prod.Cluster)["walStorage"])["storageClass"]);
        var container = Map(List(Map(Map(Spec(prod.Pooler)["template"])["spec"])["containers"]).Single());
        Assert.Equal("pgbouncer", container["name"]);
        Assert.Equal("256Mi", Map(Map(container["resources"])["limits"])["memory"]);
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
    public void RegionGetsExternalNameTwinsOfALoadBalancerThatReportsAHostname(string local, string peer)
    {
        var manifests = TopologyManifests.For(Prod).Single(r => r.Region == local);
        var hostname = ExposureAddress.Parse($"internal-{peer}.elb.example.com");

        var objects = manifests.RemoteEndpoints.SelectMany(e => e.For(hostname)).ToList();

        Assert.Equal([$"pg-{peer}-rw", $"pg-{peer}-pooler-rw"], objects.Select(m => m.Name));
        Assert.All(objects, twin =>
        {
            var spec = Map(twin.Body["spec"]);
            Assert.Equal("ExternalName", spec["type"]);
            Assert.Equal(hostname.Value, spec["externalName"]);
            Assert.False(spec.ContainsKey("selector"));
            Assert.Equal(ExposureConfig.PostgresPort, Map(List(spec["ports"]).Single())["port"]);
        });
    }

    [Fact]
    public void RegionGetsEndpointSliceTwinsOfANodePortPointingAtTheNodeAddressAndPort()
    {
        var us = TopologyManifests.For(Dev).Single(r => r.Region == "us");
        var node = ExposureAddress.Parse("172.18.0.2");

        var objects = us.RemoteEndpoints.SelectMany(e => e.For(node)).ToList();

        Assert.Equal(["Service", "EndpointSlice", "Service", "EndpointSlice"], objects.Select(m => m.Kind));
        var slice = Assert.Single(objects, m => m.Kind == "EndpointSlice" && m.Labels["kubernetes.io/service-name"] == "pg-eu-rw");
        Assert.Equal("IPv4", slice.Body["addressType"]);
        Assert.Equal("172.18.0.2", List(Map(List(slice.Body["endpoints"]).Single())["addresses"]).Single());
        Assert.Equal(Dev.Regions[0].Exposure!.RwPortOrDefault, Map(List(slice.Body["ports"]).Single())["port"]);
        var pooler = Assert.Single(objects, m => m.Kind == "EndpointSlice" && m.Labels["kubernetes.io/service-name"] == "pg-eu-pooler-rw");
        Assert.Equal(Dev.Regions[0].Exposure!.PoolerPortOrDefault, Map(List(pooler.Body["ports"]).Single())["port"]);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("staging")]
    [InlineData("prod")]
    public void NoStackFileEverRendersAnFqdnEndpointSlice(string stack)
    {
        var topology = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile(stack));
        string[] samples = ["10.1.2.3", "2001:db8::10", "lb-1234.elb.us-east-1.amazonaws.com"];

        var rendered = TopologyManifests.For(topology).SelectMany(r => r.RemoteEndpoints).SelectMany(endpoint => samples
            .Select(ExposureAddress.Parse)
            .SelectMany(address =>
            {
                try
                {
                    return endpoint.For(address).ToList();
                }
                catch (ExposureAddressException)
                {
                    return [];
                }
            })).ToList();

        Assert.Contains(rendered, m => m.Kind == "Service");
        Assert.All(rendered.Where(m => m.Kind == "EndpointSlice"), slice => Assert.Contains(slice.Body["addressType"], new object[] { "IPv4", "IPv6" }));
    }

    [Fact]
    public void LoadBalancerExposuresCarryTheConfiguredAnnotationsAndSourceRanges()
    {
        var eu = TopologyManifests.For(Prod).Single(r => r.Region == "eu");
        var balancer = Prod.Regions[0].Exposure!.LoadBalancer!;

        Assert.Equal(2, eu.Exposures.Count);
        Assert.All(eu.Exposures, exposure =>
        {
            Assert.Equal("internal", exposure.Annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]);
            Assert.Equal(balancer.SourceRanges, List(Map(exposure.Body["spec"])["loadBalancerSourceRanges"]).Cast<string>());
            Assert.Equal("LoadBalancer", Map(exposure.Body["spec"])["type"]);
        });
    }

    [Fact]
    public void OnlyThePrimaryRegionHasTheBootstrapBackupAndEveryOtherWaitsForItWhenCreated()
    {
        var regions = TopologyManifests.For(Prod);

        var backup = Assert.Single(regions, r => r.BootstrapBackup is not null).BootstrapBackup!;
        Assert.Equal("eu", regions.Single(r => r.BootstrapBackup is not null).Region);
        Assert.DoesNotContain("pulumi.com/waitFor", backup.Annotations.Keys);
        Assert.All(regions.Where(r => r.Region != "eu"), r => Assert.Equal(new BootstrapWait("prod-eu-west-1", "databases", "pg-eu-bootstrap"), r.BootstrapWait));
        Assert.Equal(
            ["kubectl", "--context", "prod-eu-west-1", "--namespace", "databases", "wait", "--for=jsonpath={.status.phase}=completed", "--timeout=3600s"],
            regions.Single(r => r.Region == "us").BootstrapWait!.Interpreter);
        Assert.Null(regions.Single(r => r.Region == "eu").BootstrapWait);
        Assert.Equal("pg-eu", Map(Map(backup.Body["spec"])["cluster"])["name"]);
        Assert.Equal("plugin", Map(backup.Body["spec"])["method"]);
        Assert.All(regions, r => Assert.Equal(r.Region != "eu", Map(r.ScheduledBackup.Body["spec"])["immediate"]));
    }

    [Theory]
    [InlineData("prod", "databases")]
    [InlineData("staging", "databases")]
    public void ANamespaceOtherThanKubernetesOwnIsDeclaredInEveryRegionFirst(string stack, string name)
    {
        var topology = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile(stack));

        foreach (var region in TopologyManifests.For(topology))
        {
            var first = region.All(_ => ExposureAddress.Parse("lb.example.com")).First();
            Assert.Equal(("Namespace", name, ""), (first.Kind, first.Name, first.Namespace));
        }
    }

    [Theory]
    [InlineData("namespace: databases", "namespace:\n      name: databases\n      create: false")]
    [InlineData("namespace: databases", "namespace: default")]
    public void AnExistingNamespaceIsNeverDeclared(string from, string to)
    {
        var topology = TopologyConfigLoader.FromStackYaml(File.ReadAllText(RepositoryFiles.StackFile("staging")).Replace(from, to.Replace("\\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal));

        Assert.All(TopologyManifests.For(topology), region => Assert.Null(region.Namespace));
    }

    [Fact]
    public void TheVerifyIdentitysKeyNeverLandsInACluster()
    {
        var secrets = TopologyManifests.For(Prod).SelectMany(r => r.Secrets).ToList();

        Assert.DoesNotContain(secrets, s => Materials(s).Any(m => m.Certificate.CommonName == "crosscluster_verify"));
        Assert.Contains(secrets, s => Materials(s).Any(m => m.Certificate.CommonName == Prod.Postgres.Owner));
    }

    [Fact]
    public void ObjectCountGrowsLinearlyWithRegions()
    {
        var regions = Enumerable.Range(0, 8).Select(i => Prod.Regions[0] with
        {
            Name = $"r{i}",
            KubeContext = $"context-{i}",
            ObjectStore = Prod.Regions[0].ObjectStore! with { Name = $"store-{i}" },
        }).ToList();

        int Objects(int count) => TopologyManifests.For(Prod with { PrimaryRegion = "r0", Regions = regions.Take(count).ToList() })
            .Sum(r => r.All(e => ExposureAddress.Parse($"{e.Region}.lb.example.com")).Count());

        Assert.Equal(Objects(4) - Objects(2), Objects(8) - Objects(6));
    }

    [Fact]
    public void NodePortExposurePublishesTheConfiguredPorts()
    {
        var eu = TopologyManifests.For(Dev)[0];
        var rw = Assert.Single(eu.Exposures, m => m.Name == "pg-eu-rw-exposed");
        var spec = Map(rw.Body["spec"]);

        Assert.Equal("NodePort", spec["type"]);
        Assert.Equal(Dev.Regions[0].Exposure!.RwPortOrDefault, Map(List(spec["ports"]).Single())["nodePort"]);
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
