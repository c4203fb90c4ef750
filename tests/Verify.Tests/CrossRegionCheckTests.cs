using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;
using CrossClusterIac.Verify;
using CrossClusterIac.Verify.Checks;

namespace CrossClusterIac.Tests.Verify;

public sealed class CrossRegionCheckTests
{
    [Fact]
    public async Task EachRegionsClientsReachTheirPeersPoolerOnly()
    {
        await using var context = new CheckContext(Outputs("eu", "us", "ap"), new VerifyOptions());

        var checks = CrossRegionChecks.For(context).Select(c => (c.Name, c.Region));

        Assert.Equal(
            [("cross-region-client-from-eu", "us"), ("cross-region-client-from-us", "eu"), ("cross-region-client-from-ap", "eu")],
            checks);
    }

    [Fact]
    public async Task LoneRegionHasNoCrossRegionCheck()
    {
        await using var context = new CheckContext(Outputs("eu"), new VerifyOptions());

        Assert.Empty(CrossRegionChecks.For(context));
    }

    private static TopologyOutputs Outputs(params string[] regions)
    {
        var root = CertificateIssuer.Issue(PkiPlan.For(new TopologyConfig
        {
            PrimaryRegion = regions[0],
            Regions = [new RegionConfig { Name = regions[0], Exposure = new ExposureConfig { Address = "127.0.0.1" } }],
        })).Root;
        return new TopologyOutputs
        {
            SchemaVersion = TopologyOutputs.CurrentSchemaVersion,
            Environment = "test",
            PrimaryRegion = regions[0],
            Database = "app",
            RootCaCertificate = root.CertificatePem,
            Regions = [.. regions.Select((name, i) => new RegionOutputs
            {
                Name = name,
                Role = i == 0 ? RegionRole.Primary : RegionRole.Replica,
                Cluster = $"pg-{name}",
                Instance = new Endpoint("127.0.0.1", 5432 + i, $"pg-{name}-rw"),
                Pooler = new Endpoint("127.0.0.1", 6432 + i, $"pg-{name}-pooler-rw"),
                ServerCaCertificate = root.CertificatePem,
                ClientCaCertificate = root.CertificatePem,
                Clients = new Dictionary<string, ClientCertificate>(),
            })],
            ClientKeys = new Dictionary<string, IReadOnlyDictionary<string, string>>(),
        };
    }
}
