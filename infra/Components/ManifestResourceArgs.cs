using CrossClusterIac.Topology.Manifests;
using Pulumi;

namespace CrossClusterIac.Infra.Components;

/// <summary>
/// Arguments of a custom resource (CNPG Cluster, Pooler, ScheduledBackup; barman-cloud ObjectStore) taken from
/// a manifest of the core: its apiVersion, kind, metadata and spec as they are.
/// </summary>
public sealed class ManifestResourceArgs : Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs
{
    /// <summary>
    /// Arguments for <paramref name="manifest"/>, with the value at each of <paramref name="secretFields"/> (a path
    /// under spec, as ignoreChanges writes it: <c>spec.replica.promotionToken</c>) a secret where the manifest has one,
    /// and its fingerprint annotations made from <paramref name="material"/>.
    /// </summary>
    public ManifestResourceArgs(Manifest manifest, IReadOnlyList<string> secretFields, Func<SecretMaterial, Output<string>>? material = null)
        : base(manifest.ApiVersion, manifest.Kind)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(secretFields);
        Metadata = ManifestInputs.Metadata(manifest, material);
        var paths = secretFields.Select(field => field.Split('.') is ["spec", .. var path] ? path : throw new ArgumentException($"'{field}' is not under spec.", nameof(secretFields))).ToList();
        foreach (var (key, value) in ManifestInputs.Map(manifest.Body["spec"]))
        {
            // Nested dictionaries and lists serialise as they are: the engine sees the manifest's own structure. A secret
            // output inside it is sent as a secret at that place alone (pulumi-dotnet v3.112.1 Serialization/Serializer.cs
            // SerializeAsync recurses into dictionaries), and pulumi-kubernetes v4.32.0 keeps it secret, and only it, in
            // the outputs and inputs it checkpoints (provider/pkg/provider/provider.go annotateSecrets recurses into objects).
            Spec.Add(key, Output.Create<object>(paths.Where(p => p[0] == key).Aggregate(value!, (node, path) => WithSecret(node, path.AsSpan(1)))));
        }
    }

    /// <summary>The resource's spec.</summary>
    [Input("spec")]
    public InputMap<object> Spec { get; } = new();

    // The node with the value at path (relative to it) replaced by a secret output of itself; unchanged where the path is absent.
    private static object WithSecret(object node, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty)
        {
            return Output.CreateSecret(node);
        }

        if (node is not IReadOnlyDictionary<string, object?> map || !map.TryGetValue(path[0], out var child) || child is null)
        {
            return node;
        }

        var copy = map.ToDictionary(StringComparer.Ordinal);
        copy[path[0]] = WithSecret(child, path[1..]);
        return copy;
    }
}
