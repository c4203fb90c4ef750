using System.Text.Json;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// An object as the API server would hold it, flattened to dotted paths (<c>spec.replica.source</c>,
/// <c>metadata.annotations.cnpg.io/reload</c>) with JSON values, lists kept whole: what two states of an object are
/// compared by. Certificate material is a token that changes exactly when the material does (<see cref="DeployedState"/>).
/// </summary>
public sealed class ObjectImage
{
    private readonly SortedDictionary<string, string> _paths;

    private ObjectImage(Manifest manifest, Dictionary<string, object?> document)
    {
        Manifest = manifest;
        Document = document;
        _paths = new SortedDictionary<string, string>(StringComparer.Ordinal);
        Flatten(string.Empty, document, _paths);
    }

    /// <summary>The manifest this image was made from.</summary>
    public Manifest Manifest { get; }

    /// <summary>The full object, material resolved to tokens.</summary>
    public IReadOnlyDictionary<string, object?> Document { get; }

    /// <summary>Every leaf path and its JSON value.</summary>
    public IReadOnlyDictionary<string, string> Paths => _paths;

    /// <summary>The image of <paramref name="manifest"/> with material and certificate end dates given by <paramref name="state"/>.</summary>
    public static ObjectImage Of(Manifest manifest, DeployedState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new ObjectImage(manifest, ManifestDocument.ToObject(manifest, state.MaterialToken, state.NotAfter));
    }

    /// <summary>The paths whose values differ between <paramref name="before"/> and <paramref name="after"/>, either side missing included.</summary>
    public static IReadOnlyList<string> ChangedPaths(ObjectImage before, ObjectImage after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        return [.. before._paths.Keys.Union(after._paths.Keys, StringComparer.Ordinal)
            .Where(p => !before._paths.TryGetValue(p, out var b) || !after._paths.TryGetValue(p, out var a) || b != a)
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="prefix"/> or lies under it.</summary>
    public static bool Under(string path, string prefix) =>
        path == prefix || path.StartsWith(prefix + ".", StringComparison.Ordinal);

    /// <summary>The value at a dotted path of the document (map keys only), or <c>null</c>.</summary>
    public object? At(string path)
    {
        object? node = Document;
        foreach (var part in path.Split('.'))
        {
            node = node is IReadOnlyDictionary<string, object?> map && map.TryGetValue(part, out var next) ? next : null;
        }

        return node;
    }

    /// <summary>
    /// This image with the value at <paramref name="path"/> taken from <paramref name="source"/> (removed where the source
    /// has none): what the engine sends for an ignored path (pulumi/pulumi pkg/resource/deploy/step_generator.go processIgnoreChanges).
    /// </summary>
    public ObjectImage WithPathFrom(ObjectImage source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        var copy = Copy(Document);
        var parts = path.Split('.');
        var target = copy;
        foreach (var part in parts[..^1])
        {
            if (target.GetValueOrDefault(part) is not Dictionary<string, object?> child)
            {
                child = [];
                target[part] = child;
            }

            target = child;
        }

        if (source.At(path) is { } value)
        {
            target[parts[^1]] = Copy(value);
        }
        else
        {
            target.Remove(parts[^1]);
        }

        return new ObjectImage(Manifest, copy);
    }

    private static Dictionary<string, object?> Copy(IReadOnlyDictionary<string, object?> map) =>
        map.ToDictionary(p => p.Key, p => Copy(p.Value), StringComparer.Ordinal);

    private static object? Copy(object? value) => value is IReadOnlyDictionary<string, object?> map ? Copy(map) : value;

    private static void Flatten(string prefix, object? value, IDictionary<string, string> into)
    {
        if (value is IReadOnlyDictionary<string, object?> map)
        {
            foreach (var (key, child) in map)
            {
                Flatten(prefix.Length == 0 ? key : $"{prefix}.{key}", child, into);
            }

            return;
        }

        into[prefix] = JsonSerializer.Serialize(value);
    }
}
