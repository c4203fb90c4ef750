using System.Text.Json;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using Xunit.Abstractions;

namespace CrossClusterIac.Tests.Topology.Manifests;

public sealed class SchemaTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("dev", 2)]
    [InlineData("staging", 2)]
    [InlineData("prod", 3)]
    public async Task EveryRenderedManifestValidatesAgainstItsSchema(string stack, int regions)
    {
        if (ManifestSchemas.Directory is null)
        {
            log.WriteLine("No ../shared/crds beside this checkout: schema validation has nothing to validate against.");
            return;
        }

        var topology = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile(stack));
        var manifests = TopologyManifests.For(topology).SelectMany(r => r.All(Sample)).ToList();
        var problems = new List<string>();
        foreach (var manifest in manifests.Where(m => ManifestSchemas.Has(m.ApiVersion, m.Kind)))
        {
            var document = JsonSerializer.Serialize(ManifestDocument.ToObject(manifest, m => $"{m.Certificate.Id} {m.Part}"));
            var schema = await ManifestSchemas.ForAsync(manifest.ApiVersion, manifest.Kind);
            problems.AddRange(schema.Validate(document).Select(e => $"{manifest} in {manifest.Namespace}: {e.Path} {e.Kind}"));
        }

        Assert.Equal(regions, topology.Regions.Count);
        Assert.Empty(problems);

        // ../shared/crds has no schema for these; ManifestTests checks the Backup's fields against CNPG's BackupSpec, and
        // AlertRuleTests runs the PrometheusRule's rules through promtool. The Cluster's reference to the monitoring
        // ConfigMap is validated with the Cluster.
        var unvalidated = manifests.Where(m => !ManifestSchemas.Has(m.ApiVersion, m.Kind)).Select(m => m.Kind).ToHashSet();
        Assert.Contains("Backup", unvalidated);
        Assert.Subset(new HashSet<string> { "Backup", "Namespace", "PodMonitor", "PrometheusRule", "ConfigMap" }, unvalidated);
    }

    // An address of the kind each twin needs: the node IP of a NodePort peer, a hostname for one whose load balancer reports one.
    private static ExposureAddress Sample(RemoteEndpoint endpoint) =>
        ExposureAddress.Parse(endpoint.Shape == TwinShape.ExternalName ? $"{endpoint.Region}.elb.example.com" : "172.18.0.2");

    [Fact]
    public async Task StrictSchemaCatchesAMisspeltField()
    {
        if (ManifestSchemas.Directory is null)
        {
            log.WriteLine("No ../shared/crds beside this checkout: schema validation has nothing to validate against.");
            return;
        }

        var topology = TopologyConfigLoader.FromStackFile(RepositoryFiles.StackFile("dev"));
        var cluster = ManifestDocument.ToObject(TopologyManifests.For(topology)[0].Cluster);
        ((Dictionary<string, object?>)cluster["spec"]!)["instance"] = 3;

        var errors = (await ManifestSchemas.ForAsync("postgresql.cnpg.io/v1", "Cluster")).Validate(JsonSerializer.Serialize(cluster));

        Assert.Contains(errors, e => e.Path == "#/spec.instance");
    }
}
