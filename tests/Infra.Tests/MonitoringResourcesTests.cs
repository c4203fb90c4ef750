using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Tests.Infra;

/// <summary>Issue 14: monitoring as code on the mocked runtime: what each region declares, and the dates its query carries.</summary>
[Collection(SerialPulumiRuntime.Name)]
public sealed class MonitoringResourcesTests
{
    [Fact]
    public async Task EachMonitoredRegionDeclaresItsMonitorsRulesAndACertificateQueryWithTheIssuedDates()
    {
        var deployment = await MockedDeployment.RunAsync("prod");
        var regions = deployment.Pki.Plan.Regions.Select(r => r.Region).ToList();

        Assert.Equal(regions.Count * 2, deployment.Mocks.OfType("kubernetes:monitoring.coreos.com/v1:PodMonitor").Count);
        var rules = deployment.Mocks.OfType("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
        Assert.Equal(regions.Count, rules.Count);
        Assert.All(rules, r => Assert.Equal("prometheus", Inputs.At(r.Inputs, "metadata", "labels", "release")));
        var queries = deployment.Mocks.OfType("kubernetes:core/v1:ConfigMap");
        Assert.Equal(regions.Count, queries.Count);
        foreach (var region in deployment.Pki.Plan.Regions)
        {
            var query = (string)Inputs.At(queries.Single(q => (string?)Inputs.At(q.Inputs, "metadata", "name") == $"pg-{region.Region}-monitoring").Inputs, "data", CertificateExpiries.Key)!;
            var server = deployment.Pki[region.Server].Certificate;
            Assert.Contains($"('{region.Server.Id}', 'leaf', {new DateTimeOffset(server.NotAfter.ToUniversalTime(), TimeSpan.Zero).ToUnixTimeSeconds()}, {(long)region.Server.RenewBefore.TotalSeconds})", query, StringComparison.Ordinal);
            Assert.Contains($"('{deployment.Pki.Plan.Root.Id}', 'root', ", query, StringComparison.Ordinal);
        }

        var cluster = deployment.Mocks.OfType("kubernetes:postgresql.cnpg.io/v1:Cluster").First();
        var reference = Inputs.Items(Inputs.At(cluster.Inputs, "spec", "monitoring", "customQueriesConfigMap")).Single();
        Assert.Equal(CertificateExpiries.Key, Inputs.At(reference, "key"));
    }

    [Fact]
    public async Task AStackWithoutMonitoringDeclaresNone()
    {
        var deployment = await MockedDeployment.RunAsync("dev");

        Assert.Empty(deployment.Mocks.OfType("kubernetes:monitoring.coreos.com/v1:PodMonitor"));
        Assert.Empty(deployment.Mocks.OfType("kubernetes:monitoring.coreos.com/v1:PrometheusRule"));
        Assert.Empty(deployment.Mocks.OfType("kubernetes:core/v1:ConfigMap"));
    }
}
