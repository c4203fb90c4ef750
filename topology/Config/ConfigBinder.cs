using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CrossClusterIac.Topology.Config;

/// <summary>
/// Binds a JSON tree onto the config records, reporting every unknown key and every value of the wrong type
/// at once (a serializer stops at the first).
/// </summary>
internal static class ConfigBinder
{
    private static readonly Dictionary<Type, IReadOnlyDictionary<string, object>> EnumWireNames = new()
    {
        [typeof(KeyAlgorithm)] = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
        {
            ["ECDSA-P256"] = KeyAlgorithm.EcdsaP256,
            ["RSA-2048"] = KeyAlgorithm.Rsa2048,
            ["RSA-4096"] = KeyAlgorithm.Rsa4096,
        },
        [typeof(ExposureType)] = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
        {
            ["NodePort"] = ExposureType.NodePort,
            ["LoadBalancer"] = ExposureType.LoadBalancer,
        },
        [typeof(IngressKind)] = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
        {
            ["ip"] = IngressKind.Ip,
            ["hostname"] = IngressKind.Hostname,
        },
        [typeof(ReplicationMode)] = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
        {
            ["streaming"] = ReplicationMode.Streaming,
            ["archive"] = ReplicationMode.Archive,
        },
        [typeof(RootRotationPhase)] = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase)
        {
            ["trustNext"] = RootRotationPhase.TrustNext,
            ["signWithNext"] = RootRotationPhase.SignWithNext,
        },
    };

    /// <summary>The wire name of an enum value, as a user writes it.</summary>
    public static string WireName<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        EnumWireNames[typeof(TEnum)].First(pair => pair.Value.Equals(value)).Key;

    public static TopologyConfig Bind(JsonNode? node, string path, List<ConfigProblem> problems) =>
        (TopologyConfig?)BindValue(node, typeof(TopologyConfig), path, problems) ?? new TopologyConfig();

    private static object? BindValue(JsonNode? node, Type type, string path, List<ConfigProblem> problems)
    {
        if (node is null)
        {
            return null;
        }

        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (target.IsEnum)
        {
            return BindEnum(node, target, path, problems);
        }

        if (target == typeof(string))
        {
            return node is JsonValue ? node.ToString() : Problem(problems, path, $"expected a text value, found a {Describe(node)}");
        }

        if (target == typeof(int))
        {
            return BindInt(node, path, problems);
        }

        if (target == typeof(bool))
        {
            return BindBool(node, path, problems);
        }

        if (target == typeof(NamespaceConfig) && node is JsonValue)
        {
            // `namespace: databases` is the short form of `namespace: {name: databases}`.
            return BindValue(node, typeof(string), path, problems) is string name ? new NamespaceConfig { Name = name } : null;
        }

        if (target == typeof(IReadOnlyDictionary<string, string>))
        {
            return BindStringMap(node, path, problems);
        }

        if (target.IsGenericType && target.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return BindList(node, target.GetGenericArguments()[0], path, problems);
        }

        return BindRecord(node, target, path, problems);
    }

    private static object? BindRecord(JsonNode node, Type type, string path, List<ConfigProblem> problems)
    {
        if (node is not JsonObject map)
        {
            return Problem(problems, path, $"expected a mapping of keys, found a {Describe(node)}");
        }

        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanWrite)
            .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), StringComparer.Ordinal);
        var record = Activator.CreateInstance(type)!;
        foreach (var (key, value) in map)
        {
            var keyPath = $"{path}.{key}";
            if (!properties.TryGetValue(key, out var property))
            {
                // A key meant for one that is absent stands for it: the validator's "missing" of that key would be noise.
                var near = NearestName.Find(key, properties.Keys.Where(k => !map.ContainsKey(k)));
                var hint = near is null ? string.Empty : $" Did you mean '{near}'?";
                problems.Add(new ConfigProblem(keyPath, $"unknown key.{hint} Allowed keys here: {string.Join(", ", properties.Keys)}.") { Covers = near is null ? null : $"{path}.{near}" });
                continue;
            }

            var bound = BindValue(value, property.PropertyType, keyPath, problems);
            if (bound is not null)
            {
                property.SetValue(record, bound);
            }
        }

        return record;
    }

    private static object? BindList(JsonNode node, Type elementType, string path, List<ConfigProblem> problems)
    {
        if (node is not JsonArray array)
        {
            return Problem(problems, path, $"expected a list, found a {Describe(node)}");
        }

        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is null)
            {
                // Dropping it would shift every later entry, and problems would name the wrong index: an empty
                // placeholder keeps the indices (what the validator says of it is dropped as noise).
                problems.Add(new ConfigProblem($"{path}[{i}]", "an empty entry ('- ' with nothing after it, '- ~' or null); remove it or fill it in."));
                list.Add(elementType == typeof(string) ? string.Empty : Activator.CreateInstance(elementType));
                continue;
            }

            var item = BindValue(array[i], elementType, $"{path}[{i}]", problems);
            if (item is not null)
            {
                list.Add(item);
            }
        }

        return list;
    }

    private static object? BindStringMap(JsonNode node, string path, List<ConfigProblem> problems)
    {
        if (node is not JsonObject map)
        {
            return Problem(problems, path, $"expected a mapping of text values, found a {Describe(node)}");
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String)
            {
                result[key] = text.GetValue<string>();
            }
            else
            {
                // Kubernetes annotations are strings; an unquoted true or 5432 would be refused by the API server.
                problems.Add(new ConfigProblem($"{path}.{key}", $"expected a text value, found {(value is null ? "nothing" : $"{Describe(value)} '{Shown(value)}'")}; quote it, e.g. \"true\"."));
            }
        }

        return result;
    }

    private static object? BindBool(JsonNode node, string path, List<ConfigProblem> problems)
    {
        if (node is JsonValue value)
        {
            // As for numbers, `pulumi config set` stores text: "true" is as good as true.
            var text = value.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? value.ToJsonString() : value.TryGetValue<string>(out var s) ? s : null;
            if (text is "true" or "false")
            {
                return text == "true";
            }
        }

        return Problem(problems, path, $"expected true or false, found {Describe(node)} '{Shown(node)}'");
    }

    private static object? BindInt(JsonNode node, string path, List<ConfigProblem> problems)
    {
        if (node is JsonValue value)
        {
            // Pulumi stores values set with `pulumi config set` as text, so "5432" is as good as 5432.
            var text = value.GetValueKind() == JsonValueKind.Number ? value.ToJsonString() : value.TryGetValue<string>(out var s) ? s : null;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
            {
                return number;
            }

            if (text is not null && BigInteger.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
            {
                var shown = text.Length > 24 ? $"a number of {text.Length} digits" : text;
                return Problem(problems, path, $"{shown} is out of range (a whole number here is between {int.MinValue} and {int.MaxValue}, and the key's own limits are narrower); use a realistic value.");
            }
        }

        return Problem(problems, path, $"expected a whole number, found {Describe(node)} '{Shown(node)}'");
    }

    private static object? BindEnum(JsonNode node, Type type, string path, List<ConfigProblem> problems)
    {
        var names = EnumWireNames[type];
        if (node is JsonValue value && value.TryGetValue<string>(out var text) && names.TryGetValue(text, out var result))
        {
            return result;
        }

        return Problem(problems, path, $"'{(node is JsonValue ? node.ToString() : Describe(node))}' is not one of: {string.Join(", ", names.Keys)}.");
    }

    private static object? Problem(List<ConfigProblem> problems, string path, string message)
    {
        problems.Add(new ConfigProblem(path, message));
        return null;
    }

    // A value as the message quotes it: short enough that a whole mapping never lands in one line.
    private static string Shown(JsonNode node)
    {
        var json = node.ToJsonString();
        return json.Length <= 60 ? json : $"{json[..57]}...";
    }

    private static string Describe(JsonNode node) => node switch
    {
        JsonObject => "mapping",
        JsonArray => "list",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "text",
        },
    };
}
