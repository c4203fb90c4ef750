using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CrossClusterIac.Topology.Config;

/// <summary>
/// Loads the topology from the text of a <c>Pulumi.&lt;stack&gt;.yaml</c> or from the JSON the Pulumi program
/// reads, and validates it. Every entry point returns a valid config or throws a
/// <see cref="TopologyConfigException"/> listing every problem.
/// </summary>
public static class TopologyConfigLoader
{
    /// <summary>The stack config key that holds the topology.</summary>
    public const string ConfigKey = "cross-cluster-dr:topology";

    private const string RootPath = "topology";

    /// <summary>Loads the topology from a stack file on disk.</summary>
    public static TopologyConfig FromStackFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TopologyConfigException([new ConfigProblem(path, $"cannot read the stack file: {e.Message}")]);
        }

        return FromStackYaml(text);
    }

    /// <summary>Loads the topology from the text of a stack file (the <c>config:</c> map holds <see cref="ConfigKey"/>).</summary>
    public static TopologyConfig FromStackYaml(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new TopologyConfigException([new ConfigProblem($"line {e.Start.Line}", $"the stack file is not valid YAML: {e.InnerException?.Message ?? e.Message}")]);
        }

        var root = stream.Documents.FirstOrDefault()?.RootNode as YamlMappingNode;
        var config = root is not null && root.Children.TryGetValue("config", out var c) ? c as YamlMappingNode : null;
        if (config is null || !config.Children.TryGetValue(ConfigKey, out var topology))
        {
            throw new TopologyConfigException([new ConfigProblem(ConfigKey,
                $"the stack file has no '{ConfigKey}' key under 'config:'. Add one, for example:{Environment.NewLine}" +
                $"config:{Environment.NewLine}  {ConfigKey}:{Environment.NewLine}    primaryRegion: eu{Environment.NewLine}    regions:{Environment.NewLine}      - name: eu{Environment.NewLine}        kubeContext: kind-k8s-eu")]);
        }

        return FromNode(ToJson(topology));
    }

    /// <summary>Loads the topology from JSON, as the Pulumi program reads the structured config value.</summary>
    public static TopologyConfig FromJson(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new TopologyConfigException([new ConfigProblem(RootPath, $"not valid JSON: {e.Message}")]);
        }

        return FromNode(node);
    }

    private static TopologyConfig FromNode(JsonNode? node)
    {
        var problems = new List<ConfigProblem>();
        if (node is null)
        {
            problems.Add(new ConfigProblem(RootPath, "the topology is empty; it needs at least 'primaryRegion' and 'regions'."));
            throw new TopologyConfigException(problems);
        }

        var config = ConfigBinder.Bind(node, RootPath, problems);
        // A key whose value could not be bound holds its default, so what the validator says of it is noise.
        var unbound = problems.Select(p => p.Key).ToList();
        problems.AddRange(TopologyValidator.Validate(config).Where(p => !unbound.Any(key => p.Key.StartsWith(key, StringComparison.Ordinal))));
        if (problems.Count > 0)
        {
            throw new TopologyConfigException(problems);
        }

        return config;
    }

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(pair =>
            KeyValuePair.Create(((YamlScalarNode)pair.Key).Value ?? string.Empty, ToJson(pair.Value)))),
        YamlSequenceNode list => new JsonArray(list.Children.Select(ToJson).ToArray()),
        YamlScalarNode scalar => ToJson(scalar),
        _ => null,
    };

    // YAML leaves typing to the reader: plain (unquoted) numbers and booleans become JSON numbers and booleans,
    // as Pulumi does for structured config; quoted values stay text.
    private static JsonValue? ToJson(YamlScalarNode scalar)
    {
        var text = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain)
        {
            return JsonValue.Create(text);
        }

        if (text is null or "" or "~" or "null")
        {
            return null;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return text is "true" or "false" ? JsonValue.Create(text == "true") : JsonValue.Create(text);
    }
}
