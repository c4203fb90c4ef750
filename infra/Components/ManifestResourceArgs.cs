using CrossClusterIac.Topology.Manifests;
using Pulumi;

namespace CrossClusterIac.Infra.Components;

/// <summary>
/// Arguments of a custom resource (CNPG Cluster, Pooler, ScheduledBackup; barman-cloud ObjectStore) taken from
/// a manifest of the core: its apiVersion, kind, metadata and spec as they are.
/// </summary>
public sealed class ManifestResourceArgs : Pulumi.Kubernetes.ApiExtensions.CustomResourceArgs
{
    /// <summary>Arguments for <paramref name="manifest"/>.</summary>
    public ManifestResourceArgs(Manifest manifest)
        : base(manifest.ApiVersion, manifest.Kind)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        Metadata = ManifestInputs.Metadata(manifest);
        foreach (var (key, value) in ManifestInputs.Map(manifest.Body["spec"]))
        {
            // Nested dictionaries and lists serialise as they are: the engine sees the manifest's own structure.
            Spec.Add(key, Output.Create<object>(value!));
        }
    }

    /// <summary>The resource's spec.</summary>
    [Input("spec")]
    public InputMap<object> Spec { get; } = new();
}
