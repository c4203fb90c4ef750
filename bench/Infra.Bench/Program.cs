using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrossClusterIac.Bench.Infra;
using CrossClusterIac.Infra.Stacks;
using Pulumi;
using Pulumi.Testing;

// Runs the mocked deployment for growing region counts; the cost per region should stay flat (linear growth).
const int Runs = 5;
Console.WriteLine("regions  resources  median_ms  ms_per_resource");
await MeasureAsync(2, warmUp: true);
foreach (var regions in new[] { 2, 4, 8 })
{
    await MeasureAsync(regions, warmUp: false);
}

static async Task MeasureAsync(int regions, bool warmUp)
{
    Environment.SetEnvironmentVariable("PULUMI_CONFIG", JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["cross-cluster-dr:topology"] = Topology(regions).ToJsonString(),
    }));
    var times = new List<double>();
    var resources = 0;
    for (var run = 0; run < (warmUp ? 1 : Runs); run++)
    {
        var mocks = new CountingMocks();
        var watch = Stopwatch.StartNew();
        await Deployment.TestAsync<TopologyStack>(mocks, new TestOptions { IsPreview = false, ProjectName = "cross-cluster-dr", StackName = "bench" });
        times.Add(watch.Elapsed.TotalMilliseconds);
        resources = mocks.Resources;
    }

    if (!warmUp)
    {
        var median = times.Order().ElementAt(times.Count / 2);
        Console.WriteLine($"{regions,7}  {resources,9}  {median,9:F1}  {median / resources,15:F3}");
    }
}

static JsonObject Topology(int regions) => new()
{
    ["namespace"] = "default",
    ["primaryRegion"] = "r0",
    ["regions"] = new JsonArray(Enumerable.Range(0, regions).Select(i => (JsonNode)new JsonObject
    {
        ["name"] = $"r{i}",
        ["kubeContext"] = $"kind-r{i}",
        ["objectStore"] = new JsonObject
        {
            ["name"] = $"minio-r{i}",
            ["endpointUrl"] = $"http://minio-r{i}:9000",
            ["destinationPath"] = "s3://backups/",
            ["credentials"] = new JsonObject { ["secretName"] = $"minio-r{i}" },
        },
        ["exposure"] = new JsonObject { ["type"] = "NodePort", ["address"] = $"172.18.0.{i + 2}", ["rwPort"] = 30432, ["poolerPort"] = 30433 },
    }).ToArray()),
};
