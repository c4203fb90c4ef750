using System.Text.Json;
using CrossClusterIac.Topology.Config;
using YamlDotNet.RepresentationModel;

namespace CrossClusterIac.Tests.Topology.Config;

public class ConfigLoadingTests
{
    [Theory]
    [InlineData("dev", 2)]
    [InlineData("staging", 2)]
    [InlineData("prod", 3)]
    public void StackFileLoadsAndValidates(string stack, int regions)
    {
        var config = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile(stack));

        Assert.Equal(regions, config.Regions.Count);
        Assert.Equal("eu", config.PrimaryRegion);
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("staging")]
    [InlineData("prod")]
    public void StackFileForbidsTheDefaultKubernetesProvider(string stack)
    {
        var file = new YamlStream();
        file.Load(new StringReader(File.ReadAllText(RepositoryFiles.StackFile(stack))));

        var config = (YamlMappingNode)((YamlMappingNode)file.Documents[0].RootNode)["config"];
        var disabled = (YamlSequenceNode)config["pulumi:disable-default-providers"];
        Assert.Contains(disabled.Children, n => ((YamlScalarNode)n).Value == "kubernetes");
    }

    [Fact]
    public void DefaultsKeepThePlaygroundConfigShort()
    {
        var config = TopologyConfigLoader.FromStackYaml(ConfigYaml.Valid);

        Assert.Equal("default", config.Namespace.Name);
        Assert.Equal(KeyAlgorithm.EcdsaP256, config.Pki.KeyAlgorithm);
        Assert.Equal(ReplicationMode.Streaming, config.Replication.Mode);
        Assert.Equal(ExposureType.NodePort, config.Regions[0].Exposure!.Type);
        Assert.Null(config.Regions[0].Exposure!.RwPort);
        Assert.Equal(30432, config.Regions[0].Exposure!.RwPortOrDefault);
        Assert.Equal("ACCESS_KEY_ID", config.Regions[0].ObjectStore!.Credentials!.AccessKeyIdKey);
    }

    [Fact]
    public void JsonAndYamlOfTheSameConfigAgree()
    {
        var fromYaml = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("prod"));
        var json = """
            {"namespace":"databases","primaryRegion":"eu",
             "postgres":{"image":"ghcr.io/cloudnative-pg/postgresql:15.14-system-trixie","instances":3,"storageSize":"200Gi","walStorageSize":"50Gi","poolerInstances":"2","parameters":{"max_connections":"200"},"resources":{"requests":{"cpu":"2","memory":"8Gi"},"limits":{"memory":"8Gi"}},"storageClass":"gp3"},
             "pki":{"keyAlgorithm":"RSA-2048","organization":"Example Corp","validity":{"rootDays":3650,"intermediateDays":1095,"leafDays":90},"renewBeforeDays":{"leafDays":30}},
             "monitoring":{"enabled":true,"replicationLagSeconds":300,"labels":{"release":"prometheus"}},
             "regions":[
              {"name":"eu","kubeContext":"prod-eu-west-1","objectStore":{"name":"backups-eu","endpointUrl":"https://s3.eu-west-1.amazonaws.com","destinationPath":"s3://example-prod-pg-eu/","credentials":{"inheritFromIamRole":true,"iamRoleArn":"arn:aws:iam::123456789012:role/example-prod-pg-backups"},"retentionPolicy":"60d","encryption":"aws:kms"},"exposure":{"type":"LoadBalancer","loadBalancer":{"ingress":"hostname","annotations":{"service.beta.kubernetes.io/aws-load-balancer-type":"external","service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":"ip","service.beta.kubernetes.io/aws-load-balancer-scheme":"internal"},"sourceRanges":["10.0.0.0/8"]}}},
              {"name":"us","kubeContext":"prod-us-east-1","objectStore":{"name":"backups-us","endpointUrl":"https://s3.us-east-1.amazonaws.com","destinationPath":"s3://example-prod-pg-us/","credentials":{"inheritFromIamRole":true,"iamRoleArn":"arn:aws:iam::123456789012:role/example-prod-pg-backups"},"retentionPolicy":"60d","encryption":"aws:kms"},"exposure":{"type":"LoadBalancer","loadBalancer":{"ingress":"hostname","annotations":{"service.beta.kubernetes.io/aws-load-balancer-type":"external","service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":"ip","service.beta.kubernetes.io/aws-load-balancer-scheme":"internal"},"sourceRanges":["10.0.0.0/8"]}}},
              {"name":"ap","kubeContext":"prod-ap-southeast-1","objectStore":{"name":"backups-ap","endpointUrl":"https://s3.ap-southeast-1.amazonaws.com","destinationPath":"s3://example-prod-pg-ap/","credentials":{"inheritFromIamRole":true,"iamRoleArn":"arn:aws:iam::123456789012:role/example-prod-pg-backups"},"retentionPolicy":"60d","encryption":"aws:kms"},"exposure":{"type":"LoadBalancer","loadBalancer":{"ingress":"hostname","annotations":{"service.beta.kubernetes.io/aws-load-balancer-type":"external","service.beta.kubernetes.io/aws-load-balancer-nlb-target-type":"ip","service.beta.kubernetes.io/aws-load-balancer-scheme":"internal"},"sourceRanges":["10.0.0.0/8"]}}}]}
            """;

        var fromJson = TopologyConfigLoader.FromJson(json);

        Assert.Equal(JsonSerializer.Serialize(fromYaml), JsonSerializer.Serialize(fromJson));
    }

    [Fact]
    public void RegionsThatDiscoverTheirAddressesDoNotClash()
    {
        var yaml = ConfigYaml.Valid.Replace("address: 172.18.0.2", "address: auto", StringComparison.Ordinal).Replace("address: 172.18.0.3", "address: auto", StringComparison.Ordinal);

        var config = TopologyConfigLoader.FromStackYaml(yaml);

        Assert.All(config.Regions, r => Assert.True(r.Exposure!.DiscoversAddress));
    }

    [Fact]
    public void QuotedNumbersStayText()
    {
        var error = Assert.Throws<TopologyConfigException>(() => TopologyConfigLoader.FromStackYaml(ConfigYaml.With("- name: us", "- name: \"1\"")));

        Assert.Contains(error.Problems, p => p.Key == "topology.regions[1].name");
    }
}
