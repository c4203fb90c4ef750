using System.Text.Json;
using System.Text.Json.Serialization;

namespace CrossClusterIac.Topology.Outputs;

/// <summary>Reads and writes <see cref="TopologyOutputs"/> as the JSON that <c>pulumi stack output --json</c> prints.</summary>
public static class TopologyOutputsJson
{
    /// <summary>Serializer options of the contract: camelCase names, enums as camelCase strings, indented.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        RespectNullableAnnotations = true,
    };

    /// <summary>Serialises outputs to the contract's JSON.</summary>
    public static string Serialize(TopologyOutputs outputs) => JsonSerializer.Serialize(outputs, Options);

    /// <summary>
    /// Parses the contract's JSON and checks that it is complete and consistent.
    /// </summary>
    /// <exception cref="OutputsFormatException">The text is not a usable outputs document; the message says what is wrong.</exception>
    public static TopologyOutputs Parse(string json)
    {
        TopologyOutputs? outputs;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new OutputsFormatException($"expected a JSON object at the top level, found {document.RootElement.ValueKind}");
            }

            if (!document.RootElement.TryGetProperty("schemaVersion", out var version) || version.ValueKind != JsonValueKind.Number)
            {
                throw new OutputsFormatException("'schemaVersion' is missing: this is not a CrossClusterIac outputs document");
            }

            if (version.GetInt32() != TopologyOutputs.CurrentSchemaVersion)
            {
                throw new OutputsFormatException(
                    $"'schemaVersion' is {version.GetInt32()}, this verify reads version {TopologyOutputs.CurrentSchemaVersion}; use the verify built with the stack that wrote it");
            }

            if (document.RootElement.TryGetProperty("clientKeys", out var keys) && keys.ValueKind == JsonValueKind.String)
            {
                throw new OutputsFormatException("'clientKeys' is hidden as a secret: read the stack outputs with 'pulumi stack output --json --show-secrets'");
            }

            outputs = document.RootElement.Deserialize<TopologyOutputs>(Options);
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? string.Empty : $" at '{e.Path.TrimStart('$', '.')}'";
            throw new OutputsFormatException($"invalid outputs JSON{where}: {e.Message}", e);
        }

        if (outputs is null)
        {
            throw new OutputsFormatException("the outputs document is null");
        }

        Check(outputs);
        return outputs;
    }

    private static void Check(TopologyOutputs outputs)
    {
        if (outputs.Regions.Count == 0)
        {
            throw new OutputsFormatException("'regions' is empty");
        }

        if (outputs.Regions.Count(r => r.Role == RegionRole.Primary) != 1 || outputs.Regions.Single(r => r.Role == RegionRole.Primary).Name != outputs.PrimaryRegion)
        {
            throw new OutputsFormatException($"'regions' must hold exactly one primary, named like 'primaryRegion' ('{outputs.PrimaryRegion}')");
        }

        foreach (var region in outputs.Regions)
        {
            foreach (var client in new[] { ClientNames.App, ClientNames.Verify, ClientNames.ExpiredProbe })
            {
                if (!region.Clients.ContainsKey(client))
                {
                    throw new OutputsFormatException($"'regions[{region.Name}].clients.{client}' is missing");
                }

                if (!outputs.ClientKeys.TryGetValue(region.Name, out var keys) || !keys.ContainsKey(client))
                {
                    throw new OutputsFormatException($"'clientKeys.{region.Name}.{client}' is missing (was the output read with --show-secrets?)");
                }
            }

            foreach (var (endpoint, name) in new[] { (region.Instance, "instance"), (region.Pooler, "pooler") })
            {
                if (endpoint.Port is < 1 or > 65535 || string.IsNullOrWhiteSpace(endpoint.Host))
                {
                    throw new OutputsFormatException($"'regions[{region.Name}].{name}' needs a host and a port between 1 and 65535");
                }
            }
        }
    }
}

/// <summary>An outputs document that cannot be used.</summary>
public sealed class OutputsFormatException : Exception
{
    /// <summary>Creates the exception with a message that names what is wrong.</summary>
    public OutputsFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public OutputsFormatException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
