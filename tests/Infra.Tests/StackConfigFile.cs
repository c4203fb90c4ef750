using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace CrossClusterIac.Tests.Infra;

/// <summary>
/// Reads a real stack file (infra/Pulumi.&lt;stack&gt;.yaml) into the JSON the Pulumi engine hands a program
/// through <c>PULUMI_CONFIG</c>: one entry per config key, objects as JSON text, plain scalars typed as YAML types them.
/// </summary>
internal static class StackConfigFile
{
    /// <summary>Path of a stack file of the repository.</summary>
    public static string PathOf(string stack)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "CrossClusterIac.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("Repository root not found above the test binaries."), "infra", $"Pulumi.{stack}.yaml");
    }

    /// <summary>The stack's config keys and their values as the engine passes them.</summary>
    public static Dictionary<string, string> Read(string stack)
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(PathOf(stack)))
        {
            yaml.Load(reader);
        }

        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        var config = (YamlMappingNode)root.Children[new YamlScalarNode("config")];
        return config.Children.ToDictionary(
            entry => ((YamlScalarNode)entry.Key).Value!,
            entry => entry.Value is YamlScalarNode scalar ? scalar.Value ?? string.Empty : ToJson(entry.Value)!.ToJsonString());
    }

    /// <summary>The topology object of a stack file as JSON text.</summary>
    public static string Topology(string stack) => Read(stack)["cross-cluster-dr:topology"];

    /// <summary>Makes the engine's config for the next mocked run.</summary>
    public static void Use(IReadOnlyDictionary<string, string> config) =>
        Environment.SetEnvironmentVariable("PULUMI_CONFIG", JsonSerializer.Serialize(config));

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode mapping => new JsonObject(mapping.Children.Select(c =>
            KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"Unsupported YAML node {node.NodeType} at {node.Start}."),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var text = scalar.Value ?? string.Empty;
        if (scalar.Style != YamlDotNet.Core.ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is "null" or "~" or "")
        {
            return null;
        }

        if (bool.TryParse(text, out var flag))
        {
            return JsonValue.Create(flag);
        }

        if (long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        return JsonValue.Create(text);
    }
}
