using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Tests.Verify;

/// <summary>Edits of rendered manifests, as a user would edit them, for the sandbox to realise.</summary>
internal static class ManifestEdits
{
    /// <summary>Edits the spec of Cluster <paramref name="name"/>, leaving every other manifest as rendered.</summary>
    public static Func<Manifest, Manifest> Cluster(string name, Action<Dictionary<string, object?>> edit) => manifest =>
    {
        if (manifest.Kind != "Cluster" || manifest.Name != name)
        {
            return manifest;
        }

        // A deep copy: the rendered manifests are shared with whoever rendered them.
        var spec = Map(ManifestDocument.ToObject(manifest)["spec"]);
        edit(spec);
        return manifest with { Body = new Dictionary<string, object?>(manifest.Body) { ["spec"] = spec } };
    };

    /// <summary>Points every key of Secret <paramref name="name"/> at other certificate material, as a Secret filled from the wrong source would be.</summary>
    public static Func<Manifest, Manifest> Secret(string name, Func<SecretMaterial, SecretMaterial> edit) => manifest =>
    {
        if (!manifest.IsSecret || manifest.Name != name)
        {
            return manifest;
        }

        var data = Map(manifest.Body["data"]).ToDictionary(e => e.Key, e => (object?)edit(Assert.IsType<SecretMaterial>(e.Value)));
        return manifest with { Body = new Dictionary<string, object?>(manifest.Body) { ["data"] = data } };
    };

    public static Dictionary<string, object?> Map(object? value) => Assert.IsType<Dictionary<string, object?>>(value);

    public static List<object?> List(object? value) => Assert.IsType<List<object?>>(value);

    public static IEnumerable<Dictionary<string, object?>> Maps(object? value) => List(value).Select(Map);
}
