using System.Text.Json.Nodes;
using CrossClusterIac.Sandbox;

namespace CrossClusterIac.Tests.Dr;

/// <summary>A stack's `pulumi config --json --show-secrets`, as the CLI prints it, by default with the sandbox's two regions.</summary>
internal static class StackConfig
{
    public static string Topology(string primary, string? to, IReadOnlyList<string>? regions = null) => new JsonObject
    {
        ["primaryRegion"] = primary,
        ["regions"] = new JsonArray([.. (regions ?? SandboxTopology.DefaultRegions).Select((name, i) => Region(name, $"172.18.0.{i + 2}"))]),
        ["switchover"] = to is null ? null : new JsonObject { ["to"] = to },
    }.ToJsonString();

    public static string Json(string primary, string? to, string? token)
    {
        var config = new JsonObject { ["cross-cluster-dr:topology"] = new JsonObject { ["objectValue"] = JsonNode.Parse(Topology(primary, to)), ["secret"] = false } };
        if (token is not null)
        {
            config["cross-cluster-dr:promotionToken"] = new JsonObject { ["value"] = token, ["secret"] = true };
        }

        return config.ToJsonString();
    }

    private static JsonObject Region(string name, string address) => new()
    {
        ["name"] = name,
        ["kubeContext"] = $"kind-k8s-{name}",
        ["objectStore"] = new JsonObject
        {
            ["endpointUrl"] = $"http://minio-{name}:9000",
            ["destinationPath"] = "s3://backups/",
            ["credentials"] = new JsonObject { ["secretName"] = $"minio-{name}" },
        },
        ["exposure"] = new JsonObject { ["address"] = address },
    };
}
