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

        // An endpoint without "serverName" (a positional record's parameter) is refused naming it, not read as null.
        RespectRequiredConstructorParameters = true,

        // JsonSerializerDefaults.Web reads "5432" as a number; the contract writes numbers as numbers and reads them so.
        NumberHandling = JsonNumberHandling.Strict,

        // Named here, not left for the first (de)serialisation to fill in: the shape check reads the contract first.
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
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

            if (!document.RootElement.TryGetProperty("schemaVersion", out var version))
            {
                throw new OutputsFormatException("'schemaVersion' is missing: this is not a CrossClusterIac outputs document");
            }

            // A fraction or an exponent beyond Int32 is a number too; TryGetInt32 refuses both instead of throwing.
            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var number))
            {
                throw new OutputsFormatException(
                    $"'schemaVersion' is {version.GetRawText()}, not the integer {TopologyOutputs.CurrentSchemaVersion}: write it as a JSON number, e.g. \"schemaVersion\": {TopologyOutputs.CurrentSchemaVersion}");
            }

            if (number != TopologyOutputs.CurrentSchemaVersion)
            {
                throw new OutputsFormatException(
                    $"'schemaVersion' is {number}, this verify reads version {TopologyOutputs.CurrentSchemaVersion}; use the verify built with the stack that wrote it");
            }

            if (document.RootElement.TryGetProperty("clientKeys", out var keys) && keys.ValueKind == JsonValueKind.String)
            {
                throw new OutputsFormatException("'clientKeys' is hidden as a secret: read the stack outputs with 'pulumi stack output --json --show-secrets'");
            }

            OutputsShape.Check(document.RootElement, Options);
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
        Require(outputs.Environment, "environment");
        Require(outputs.PrimaryRegion, "primaryRegion");
        Require(outputs.Database, "database");
        if (OutputsMaterial.CertificateCount(outputs.RootCaCertificate, "rootCaCertificate") is var roots and not (1 or 2))
        {
            throw new OutputsFormatException($"'rootCaCertificate' holds {roots} certificates: give the shared root CA, or during a root rotation the current root and the next");
        }

        if (OutputsMaterial.RepeatedCertificates(outputs.RootCaCertificate, "rootCaCertificate") > 0)
        {
            throw new OutputsFormatException("'rootCaCertificate' holds the same root twice: give the shared root CA once, or during a root rotation the current root and the next");
        }

        if (outputs.RenewBeforeDays is { } renewal && (renewal.Root < 1 || renewal.Intermediate < 1 || renewal.Leaf < 1))
        {
            throw new OutputsFormatException("'renewBeforeDays' holds a window of less than one day: give each tier's window in whole days, as the stack's pki.renewBeforeDays does");
        }

        if (outputs.Regions.Count == 0)
        {
            throw new OutputsFormatException("'regions' is empty");
        }

        for (var i = 0; i < outputs.Regions.Count; i++)
        {
            Require(outputs.Regions[i].Name, $"regions[{i}].name");
        }

        if (outputs.Regions.GroupBy(r => r.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new OutputsFormatException($"'regions' names region '{duplicate.Key}' {duplicate.Count()} times: each region appears once");
        }

        if (outputs.Regions.Count(r => r.Role == RegionRole.Primary) != 1 || outputs.Regions.Single(r => r.Role == RegionRole.Primary).Name != outputs.PrimaryRegion)
        {
            throw new OutputsFormatException($"'regions' must hold exactly one primary, named like 'primaryRegion' ('{outputs.PrimaryRegion}')");
        }

        foreach (var region in outputs.Regions)
        {
            Check(outputs, region);
        }
    }

    private static void Check(TopologyOutputs outputs, RegionOutputs region)
    {
        var at = $"regions[{region.Name}]";
        Require(region.Cluster, $"{at}.cluster");
        if (region.MinApplyDelaySeconds is { } delay && (delay < 1 || delay > Config.ApplyDelay.Longest.TotalSeconds))
        {
            throw new OutputsFormatException($"'{at}.minApplyDelaySeconds' is {delay}: a delayed replica holds back between 1 and {Config.ApplyDelay.Longest.TotalSeconds:0} seconds; leave it out for a replica without delay");
        }

        if (region.MinApplyDelaySeconds is not null && region.Role == RegionRole.Primary)
        {
            throw new OutputsFormatException($"'{at}.minApplyDelaySeconds' is set on the primary, which replays nothing");
        }

        foreach (var (endpoint, name) in new[] { (region.Instance, "instance"), (region.Pooler, "pooler") })
        {
            if (endpoint.Port is < 1 or > 65535 || string.IsNullOrWhiteSpace(endpoint.Host))
            {
                throw new OutputsFormatException($"'{at}.{name}' needs a host and a port between 1 and 65535");
            }

            // verify-full holds the server certificate to this name; without it there is nothing to check the certificate against.
            Require(endpoint.ServerName, $"{at}.{name}.serverName");
        }

        _ = OutputsMaterial.CertificateCount(region.ServerCaCertificate, $"{at}.serverCaCertificate");
        _ = OutputsMaterial.CertificateCount(region.ClientCaCertificate, $"{at}.clientCaCertificate");
        foreach (var client in new[] { ClientNames.App, ClientNames.Verify, ClientNames.ExpiredProbe })
        {
            if (!region.Clients.TryGetValue(client, out var certificate))
            {
                throw new OutputsFormatException($"'{at}.clients.{client}' is missing");
            }

            if (!outputs.ClientKeys.TryGetValue(region.Name, out var keys) || !keys.TryGetValue(client, out var privateKey))
            {
                throw new OutputsFormatException($"'clientKeys.{region.Name}.{client}' is missing (was the output read with --show-secrets?)");
            }

            Require(certificate.User, $"{at}.clients.{client}.user");
            OutputsMaterial.ClientPair(certificate.CertificateChain, $"{at}.clients.{client}.certificateChain", privateKey, $"clientKeys.{region.Name}.{client}");
        }
    }

    private static void Require(string value, string key)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new OutputsFormatException($"'{key}' is empty: give a value");
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
