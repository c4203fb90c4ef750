using System.Text.Json;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>
/// Lenient reads of a Kubernetes object's fields: a field that is absent, null or of another JSON type than the schema
/// gives is <c>null</c>. A status is written by the operator and read here as reported, so a field an older or newer
/// CNPG leaves out must not cost the rest of the report.
/// </summary>
internal static class CnpgJson
{
    /// <summary>The element at <paramref name="path"/>, if every step is an object holding the next.</summary>
    public static JsonElement? At(JsonElement element, params string[] path)
    {
        var current = element;
        foreach (var step in path)
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(step, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>The string at <paramref name="path"/>, or <c>null</c>.</summary>
    public static string? String(JsonElement element, params string[] path) =>
        At(element, path) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    /// <summary>The 32-bit integer at <paramref name="path"/>, or <c>null</c> (also for a fraction or one out of range).</summary>
    public static int? Int(JsonElement element, params string[] path) =>
        At(element, path) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : null;

    /// <summary>The boolean at <paramref name="path"/>, or <c>null</c>.</summary>
    public static bool? Bool(JsonElement element, params string[] path) =>
        At(element, path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : null;

    /// <summary>
    /// Refuses a document that is not a <paramref name="kind"/> of CNPG's API group: the parsers would otherwise read
    /// another object's <c>status</c> as if CNPG had written it.
    /// </summary>
    public static void RequireKind(JsonElement document, string kind)
    {
        if (document.ValueKind != JsonValueKind.Object)
        {
            throw new CnpgDocumentException($"expected a CNPG {kind} object, got a JSON {document.ValueKind.ToString().ToLowerInvariant()}");
        }

        var apiVersion = String(document, "apiVersion");
        var actual = String(document, "kind");
        if (actual != kind || apiVersion is null || !apiVersion.StartsWith(CnpgApi.Group + "/", StringComparison.Ordinal))
        {
            throw new CnpgDocumentException(
                $"expected a CNPG {kind} ({CnpgApi.Group}/{CnpgApi.Version}), got kind '{actual ?? "(none)"}' of apiVersion '{apiVersion ?? "(none)"}'");
        }
    }
}
