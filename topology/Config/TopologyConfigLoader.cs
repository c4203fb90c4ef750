using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

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

    /// <summary>The secret stack config value beside the topology that holds a switchover's demotion token in phase 2.</summary>
    public const string PromotionTokenKey = "cross-cluster-dr:promotionToken";

    /// <summary>The stack config value beside the topology that names a replica region whose Cluster is being rebuilt.</summary>
    public const string RebuildKey = "cross-cluster-dr:rebuild";

    /// <summary>
    /// The stack config value beside the topology that says a failover to the region it names is meant: the one way,
    /// besides a switchover's completion, for <c>primaryRegion</c> to leave the region the last deployment made primary.
    /// </summary>
    public const string FailoverKey = "cross-cluster-dr:failover";

    private const string RootPath = "topology";

    /// <summary>Most bytes read from a stack file (1 MiB): a stack file holds a few kilobytes of config.</summary>
    public const int MaxStackFileBytes = 1 << 20;

    /// <summary>Longest text value or key a topology takes (a load balancer annotation is the longest there is).</summary>
    public const int MaxValueLength = 4096;

    // Throws on the first byte that is not UTF-8 instead of replacing it with U+FFFD, which would let a corrupted
    // name through as a different, valid-looking one.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads the topology from a stack file on disk: a regular file of at most <see cref="MaxStackFileBytes"/> bytes of UTF-8.</summary>
    public static TopologyConfig FromStackFile(string path) => FromStackYaml(ReadStackFile(path));

    /// <summary>Loads the topology from the text of a stack file (the <c>config:</c> map holds <see cref="ConfigKey"/>).</summary>
    public static TopologyConfig FromStackYaml(string yaml)
    {
        if (yaml.Length > MaxStackFileBytes)
        {
            throw new TopologyConfigException([new ConfigProblem(ConfigKey, $"the stack file is {yaml.Length} characters long; a stack file holds a few kilobytes and at most {MaxStackFileBytes} are read. Pass the Pulumi.<stack>.yaml file.")]);
        }

        var document = BoundedYaml.Read(yaml, DisplayPath);
        var config = document is JsonObject root && root.TryGetPropertyValue("config", out var c) ? c as JsonObject : null;
        if (config is null || !config.TryGetPropertyValue(ConfigKey, out var topology))
        {
            throw new TopologyConfigException([new ConfigProblem(ConfigKey,
                $"the stack file has no '{ConfigKey}' key under 'config:'. Add one, for example:{Environment.NewLine}" +
                $"config:{Environment.NewLine}  {ConfigKey}:{Environment.NewLine}    primaryRegion: eu{Environment.NewLine}    regions:{Environment.NewLine}      - name: eu{Environment.NewLine}        kubeContext: kind-k8s-eu")]);
        }

        return FromNode(topology);
    }

    /// <summary>Loads the topology from JSON, as the Pulumi program reads the structured config value.</summary>
    public static TopologyConfig FromJson(string json)
    {
        if (json.Length > MaxStackFileBytes)
        {
            throw new TopologyConfigException([new ConfigProblem(RootPath, $"the JSON is {json.Length} characters long; a topology holds a few kilobytes and at most {MaxStackFileBytes} are read.")]);
        }

        JsonNode? node;
        try
        {
            // Duplicate properties are refused as the YAML reader refuses duplicate keys (the last would silently win).
            node = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { MaxDepth = BoundedYaml.MaxDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new TopologyConfigException([new ConfigProblem(RootPath, $"not valid JSON: {e.Message}")]);
        }

        return FromNode(node);
    }

    private static string ReadStackFile(string path)
    {
        TopologyConfigException Unreadable(string why) => new([new ConfigProblem(path, $"cannot read the stack file: {why}")]);

        if (Directory.Exists(path))
        {
            throw Unreadable("it is a directory; pass the Pulumi.<stack>.yaml file inside it.");
        }

        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw Unreadable("it does not exist; check the path (a stack file is named Pulumi.<stack>.yaml and sits beside Pulumi.yaml).");
        }

        // .NET reports no file type on Unix, but stat gives FIFOs, sockets and devices (/dev/zero) a size of 0, so
        // they are refused here without being opened: opening a FIFO blocks until someone writes to it.
        if (info.Length == 0)
        {
            throw Unreadable("it is empty, or not a regular file (a FIFO, a socket or a device such as /dev/zero); pass the stack file itself.");
        }

        if (info.Length > MaxStackFileBytes)
        {
            throw Unreadable($"it is {info.Length} bytes; a stack file holds a few kilobytes and at most {MaxStackFileBytes} bytes (1 MiB) are read. Pass the Pulumi.<stack>.yaml file.");
        }

        byte[] bytes;
        try
        {
            // Read no more than the limit allows, even if the file grows (or was swapped) after the check above.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
            bytes = BoundedRead.AtMost(stream, MaxStackFileBytes)
                ?? throw Unreadable($"it holds more than {MaxStackFileBytes} bytes (1 MiB); a stack file holds a few kilobytes. Pass the Pulumi.<stack>.yaml file.");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unreadable($"{e.Message} Check the path and its permissions.");
        }

        return DecodeUtf8(bytes, path);
    }

    /// <summary>The text of a stack file's bytes, which must be UTF-8 (a UTF-8 byte order mark is allowed and dropped).</summary>
    internal static string DecodeUtf8(byte[] bytes, string key)
    {
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            throw new TopologyConfigException([new ConfigProblem(key, "the stack file is UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8, as Pulumi writes stack files.")]);
        }

        var start = bytes is [0xEF, 0xBB, 0xBF, ..] ? 3 : 0;
        try
        {
            return StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException)
        {
            // The decoder's exception does not say where reliably; Utf8.ToUtf16 stops at the first invalid byte.
            System.Text.Unicode.Utf8.ToUtf16(bytes.AsSpan(start), new char[bytes.Length], out var valid, out _, replaceInvalidSequences: false);
            var offset = start + valid;
            var line = 1 + bytes.AsSpan(0, offset).Count((byte)'\n');
            throw new TopologyConfigException([new ConfigProblem(key, $"byte {offset} (line {line}) is 0x{bytes[offset]:X2}, which is not UTF-8; save the stack file as UTF-8 (the text around it may have been written in another encoding, such as Latin-1).")]);
        }
    }

    // Problems inside the topology are named from it ('topology.regions[0].name'); elsewhere in the file by their YAML path.
    private static string DisplayPath(string path)
    {
        var prefix = $"config.{ConfigKey}";
        return path == prefix ? RootPath
            : path.StartsWith(prefix + ".", StringComparison.Ordinal) || path.StartsWith(prefix + "[", StringComparison.Ordinal) ? RootPath + path[prefix.Length..]
            : path.Length == 0 ? "(the stack file)" : path;
    }

    private static TopologyConfig FromNode(JsonNode? node)
    {
        var problems = new List<ConfigProblem>();
        if (node is null)
        {
            problems.Add(new ConfigProblem(RootPath, "the topology is empty; it needs at least 'primaryRegion' and 'regions'."));
            throw new TopologyConfigException(problems);
        }

        // Bounded before binding, so no message quotes a megabyte: no key of the topology takes a value this long.
        TooLong(node, RootPath, problems);
        if (problems.Count > 0)
        {
            throw new TopologyConfigException(problems);
        }

        var config = ConfigBinder.Bind(node, RootPath, problems);
        // A key whose value could not be bound holds its default, so what the validator says of it is noise.
        var unbound = problems.SelectMany(p => p.Covers is null ? [p.Key] : new[] { p.Key, p.Covers }).ToList();
        problems.AddRange(TopologyValidator.Validate(config).Where(p => !unbound.Any(key => IsWithin(p.Key, key))));
        if (problems.Count > 0)
        {
            throw new TopologyConfigException(problems);
        }

        return config;
    }

    private static void TooLong(JsonNode? node, string path, List<ConfigProblem> problems)
    {
        switch (node)
        {
            case JsonObject map:
                foreach (var (key, value) in map)
                {
                    if (key.Length > MaxValueLength)
                    {
                        problems.Add(new ConfigProblem($"{path}.{key[..40]}…", $"a key of {key.Length} characters; no key of the topology is longer than a few dozen. Remove it."));
                    }
                    else
                    {
                        TooLong(value, $"{path}.{key}", problems);
                    }
                }

                break;

            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    TooLong(list[i], $"{path}[{i}]", problems);
                }

                break;

            case JsonValue value when value.TryGetValue<string>(out var text) && text.Length > MaxValueLength:
                problems.Add(new ConfigProblem(path, $"a value of {text.Length} characters; the longest a key of the topology takes is {MaxValueLength}. Shorten it."));
                break;
        }
    }

    // Whether `key` is `unbound` or a key inside it ('regions[1].name' is inside 'regions[1]'; 'regions[10]' is not).
    private static bool IsWithin(string key, string unbound) =>
        key.StartsWith(unbound, StringComparison.Ordinal) && (key.Length == unbound.Length || key[unbound.Length] is '.' or '[');
}
