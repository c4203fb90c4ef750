using System.Text.Json.Nodes;
using NJsonSchema;
using YamlDotNet.RepresentationModel;

namespace CrossClusterIac.Tests.Topology.Manifests;

/// <summary>
/// The real schemas in <c>../shared/crds</c>: the CNPG and barman-cloud CRDs (made strict, as
/// <c>kubectl --validate=strict</c> is, so a misspelt field fails) and the Kubernetes core JSON schemas.
/// </summary>
internal static class ManifestSchemas
{
    private static readonly Dictionary<string, string> Files = new(StringComparer.Ordinal)
    {
        ["postgresql.cnpg.io/v1/Cluster"] = "postgresql.cnpg.io_clusters.yaml",
        ["postgresql.cnpg.io/v1/Pooler"] = "postgresql.cnpg.io_poolers.yaml",
        ["postgresql.cnpg.io/v1/ScheduledBackup"] = "postgresql.cnpg.io_scheduledbackups.yaml",
        ["barmancloud.cnpg.io/v1/ObjectStore"] = "barmancloud.cnpg.io_objectstores.yaml",
        ["v1/Service"] = "k8s/service-v1.json",
        ["v1/Secret"] = "k8s/secret-v1.json",
        ["v1/Endpoints"] = "k8s/endpoints-v1.json",
        ["discovery.k8s.io/v1/EndpointSlice"] = "k8s/endpointslice-discovery-v1.json",
    };

    private static readonly Dictionary<string, JsonSchema> Loaded = new(StringComparer.Ordinal);

    /// <summary>The schema folder, or <c>null</c> when this checkout has none beside it.</summary>
    public static string? Directory { get; } = Find();

    /// <summary>Whether the folder holds a schema for an apiVersion and kind.</summary>
    public static bool Has(string apiVersion, string kind) => Files.ContainsKey($"{apiVersion}/{kind}");

    /// <summary>The schema for an apiVersion and kind.</summary>
    public static async Task<JsonSchema> ForAsync(string apiVersion, string kind)
    {
        var key = $"{apiVersion}/{kind}";
        if (Loaded.TryGetValue(key, out var schema))
        {
            return schema;
        }

        var path = Path.Combine(Directory!, Files[key]);
        schema = path.EndsWith(".json", StringComparison.Ordinal)
            ? await JsonSchema.FromFileAsync(path)
            : await JsonSchema.FromJsonAsync(CrdSchema(path, apiVersion.Split('/')[^1]).ToJsonString());
        Loaded[key] = schema;
        return schema;
    }

    private static JsonNode CrdSchema(string path, string version)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(path))
        {
            yaml.Load(reader);
        }

        var crd = ToJson(yaml.Documents[0].RootNode)!;
        var served = crd["spec"]!["versions"]!.AsArray().Single(v => (string?)v!["name"] == version)!;
        var schema = served["schema"]!["openAPIV3Schema"]!.DeepClone();
        MakeStrict(schema);
        return schema;
    }

    private static void MakeStrict(JsonNode node)
    {
        if (node is JsonObject schema)
        {
            if (schema["properties"] is JsonObject && schema["additionalProperties"] is null && schema["x-kubernetes-preserve-unknown-fields"] is null)
            {
                schema["additionalProperties"] = false;
            }

            foreach (var child in schema.Select(p => p.Value).OfType<JsonNode>().ToList())
            {
                MakeStrict(child);
            }
        }
        else if (node is JsonArray array)
        {
            foreach (var item in array.OfType<JsonNode>())
            {
                MakeStrict(item);
            }
        }
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(p => KeyValuePair.Create(((YamlScalarNode)p.Key).Value!, ToJson(p.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar when bool.TryParse(scalar.Value, out var flag) => JsonValue.Create(flag),
        YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } scalar when long.TryParse(scalar.Value, out var number) => JsonValue.Create(number),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => null,
    };

    private static string? Find()
    {
        for (var dir = new DirectoryInfo(RepositoryFiles.Root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "crds");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
