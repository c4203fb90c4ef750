namespace CrossClusterIac.Topology.Cnpg;

/// <summary>Reads fields of a manifest as a plain object (nested dictionaries and lists), absent fields as empty.</summary>
internal static class ManifestFields
{
    private static readonly IReadOnlyDictionary<string, object?> Empty = new Dictionary<string, object?>();

    /// <summary>The map at <paramref name="path"/>, or an empty one.</summary>
    public static IReadOnlyDictionary<string, object?> Map(IReadOnlyDictionary<string, object?> value, params string[] path)
    {
        var current = value;
        foreach (var key in path)
        {
            if (!current.TryGetValue(key, out var next) || next is null)
            {
                return Empty;
            }

            current = next as IReadOnlyDictionary<string, object?> ?? throw new CnpgRealisationException($"{string.Join('.', path)} is not a mapping");
        }

        return current;
    }

    /// <summary>The list at <paramref name="key"/> of <paramref name="map"/>, or an empty one.</summary>
    public static IReadOnlyList<object?> List(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is System.Collections.IEnumerable list and not string
            ? list.Cast<object?>().ToList()
            : [];

    /// <summary>The strings of the list at <paramref name="key"/>.</summary>
    public static IReadOnlyList<string> Strings(IReadOnlyDictionary<string, object?> map, string key) =>
        List(map, key).Select(item => item as string ?? throw new CnpgRealisationException($"{key} holds a non-string item")).ToList();

    /// <summary>The string at <paramref name="key"/>, or <c>null</c>.</summary>
    public static string? String(IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) ? value?.ToString() : null;

    /// <summary>The maps of the list at <paramref name="key"/>.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, object?>> Maps(IReadOnlyDictionary<string, object?> map, string key) =>
        List(map, key).Select(item => item as IReadOnlyDictionary<string, object?> ?? throw new CnpgRealisationException($"{key} holds a non-mapping item")).ToList();
}
