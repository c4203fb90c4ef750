using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CrossClusterIac.Topology.Outputs;

/// <summary>
/// Checks a document against the contract's shape before it is deserialised, so that a missing key, a null, a value
/// of the wrong kind or a key given twice is refused naming the key and the fix, in the contract's own names and
/// with regions named as the other checks name them (<c>regions[us]</c>), instead of System.Text.Json's wording,
/// which names the .NET type. The shape is read from the serializer's own contract (<see cref="JsonTypeInfo"/>), so
/// it cannot drift from what deserialisation requires.
/// </summary>
internal static class OutputsShape
{
    /// <summary>Throws <see cref="OutputsFormatException"/> on the first place where the document leaves the shape.</summary>
    public static void Check(JsonElement document, JsonSerializerOptions options) =>
        Walk(document, options.GetTypeInfo(typeof(TopologyOutputs)), string.Empty, options);

    private static void Walk(JsonElement element, JsonTypeInfo shape, string path, JsonSerializerOptions options)
    {
        var type = Nullable.GetUnderlyingType(shape.Type) ?? shape.Type;
        if (type == typeof(string) || type.IsEnum || type == typeof(int) || type == typeof(bool))
        {
            CheckValue(element, type, path, options);
            return;
        }

        switch (shape.Kind)
        {
            case JsonTypeInfoKind.Object:
                Expect(element, JsonValueKind.Object, path, "an object");
                WalkObject(element, shape, path, options);
                break;
            case JsonTypeInfoKind.Dictionary:
                Expect(element, JsonValueKind.Object, path, "an object");
                foreach (var entry in Entries(element, path))
                {
                    WalkElement(entry.Value, shape.ElementType!, Join(path, entry.Name), options);
                }

                break;
            case JsonTypeInfoKind.Enumerable:
                Expect(element, JsonValueKind.Array, path, "a list");
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    WalkElement(item, shape.ElementType!, $"{path}[{NameOf(item) ?? index.ToString(System.Globalization.CultureInfo.InvariantCulture)}]", options);
                    index++;
                }

                break;
            default:
                throw new InvalidOperationException($"the outputs contract holds a {type.Name}, which this check does not know");
        }
    }

    // Nullable annotations do not reach the elements of lists and dictionaries, and none of the contract's may be null.
    private static void WalkElement(JsonElement element, Type type, string path, JsonSerializerOptions options)
    {
        if (element.ValueKind == JsonValueKind.Null)
        {
            throw new OutputsFormatException($"'{path}' is null: give {Describe(type, options)}");
        }

        Walk(element, options.GetTypeInfo(type), path, options);
    }

    private static void WalkObject(JsonElement element, JsonTypeInfo shape, string path, JsonSerializerOptions options)
    {
        var given = Entries(element, path).ToDictionary(e => e.Name, e => e.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var property in shape.Properties.Where(p => p.Set is not null || p.AssociatedParameter is not null))
        {
            var key = Join(path, property.Name);
            var required = property.IsRequired || property.AssociatedParameter is { HasDefaultValue: false };
            var nullable = property.AssociatedParameter?.IsNullable ?? property.IsSetNullable;
            if (!given.TryGetValue(property.Name, out var value))
            {
                if (required)
                {
                    throw new OutputsFormatException($"'{key}' is missing: add it ({Describe(property.PropertyType, options)})");
                }

                continue;
            }

            if (value.ValueKind == JsonValueKind.Null)
            {
                if (!nullable)
                {
                    throw new OutputsFormatException($"'{key}' is null: give {Describe(property.PropertyType, options)}");
                }

                continue;
            }

            Walk(value, options.GetTypeInfo(property.PropertyType), key, options);
        }
    }

    // Names are matched as the deserializer matches them (case-insensitive, JsonSerializerDefaults.Web); one given
    // twice would be read as the last, silently, so it is refused.
    private static List<JsonProperty> Entries(JsonElement element, string path)
    {
        var entries = element.EnumerateObject().ToList();
        if (entries.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            throw new OutputsFormatException($"'{Join(path, twice.Key)}' is given {twice.Count()} times: keep one");
        }

        return entries;
    }

    private static void CheckValue(JsonElement element, Type type, string path, JsonSerializerOptions options)
    {
        var fits = type switch
        {
            _ when type == typeof(string) => element.ValueKind == JsonValueKind.String,
            _ when type == typeof(bool) => element.ValueKind is JsonValueKind.True or JsonValueKind.False,
            _ when type == typeof(int) => element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out _),
            _ => element.ValueKind == JsonValueKind.String && Names(type).Contains(element.GetString(), StringComparer.Ordinal),
        };
        if (!fits)
        {
            throw new OutputsFormatException($"'{path}' is {Shown(element)}, not {Describe(type, options)}: write it as {Describe(type, options)}");
        }
    }

    private static void Expect(JsonElement element, JsonValueKind kind, string path, string description)
    {
        if (element.ValueKind != kind)
        {
            throw new OutputsFormatException($"'{path}' is {Shown(element)}, not {description}: write it as {description}");
        }
    }

    private static string Describe(Type type, JsonSerializerOptions options)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type switch
        {
            _ when type == typeof(string) => "text in quotes",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) => "a whole number without quotes",
            _ when type.IsEnum => $"one of {string.Join(", ", Names(type).Select(n => $"\"{n}\""))}",
            _ => options.GetTypeInfo(type).Kind == JsonTypeInfoKind.Enumerable ? "a list" : "an object",
        };
    }

    // The contract writes enums in camelCase (TopologyOutputsJson.Options' converter).
    private static IEnumerable<string> Names(Type type) => Enum.GetNames(type).Select(JsonNamingPolicy.CamelCase.ConvertName);

    // A region (or any object with a name) is named by it, as every later message names it.
    private static string? NameOf(JsonElement item) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
        && name.GetString() is { Length: > 0 and <= 63 } text && text.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? text : null;

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static string Shown(JsonElement element)
    {
        var text = element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            _ => element.GetRawText(),
        };
        return text.Length > 40 ? $"{text[..37]}..." : text;
    }
}
