using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Pki;
using YamlDotNet.Serialization;

namespace CrossClusterIac.Render;

/// <summary>Manifests as a multi-document YAML stream, the form kubectl and GitOps tools read.</summary>
public static class ManifestYaml
{
    // Strings such as "true" or "5432" stay strings: Kubernetes rejects a label or parameter that became a bool or int.
    private static readonly ISerializer Serializer = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();

    /// <summary>One region's manifests (<paramref name="objects"/>), after a comment naming the region and what was left out.</summary>
    public static string Region(RegionManifests region, IReadOnlyList<Manifest> objects, string kubeContext, Func<SecretMaterial, string>? material, Func<CertificateSpec, DateTimeOffset>? notAfter)
    {
        var writer = new StringWriter();
        writer.WriteLine($"# region: {region.Region} (kube context {kubeContext})");
        var manifests = objects.Where(m => material is not null || !ManifestDocument.HoldsIssuedMaterial(m)).ToList();
        if (material is null)
        {
            var left = objects.Where(ManifestDocument.HoldsIssuedMaterial).Select(m => m.Name);
            writer.WriteLine($"# left out: {string.Join(", ", left)} (the certificate Secrets, leaf keys among them, and what holds the certificates' dates; render --include-secrets)");
        }

        foreach (var manifest in manifests)
        {
            writer.WriteLine("---");
            writer.Write(Serializer.Serialize(ManifestDocument.ToObject(manifest, material, notAfter)));
        }

        return writer.ToString();
    }
}
