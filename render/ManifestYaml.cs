using CrossClusterIac.Topology.Manifests;
using YamlDotNet.Serialization;

namespace CrossClusterIac.Render;

/// <summary>Manifests as a multi-document YAML stream, the form kubectl and GitOps tools read.</summary>
public static class ManifestYaml
{
    // Strings such as "true" or "5432" stay strings: Kubernetes rejects a label or parameter that became a bool or int.
    private static readonly ISerializer Serializer = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();

    /// <summary>
    /// One region's manifests, after a comment naming the region, what was left out, and the peer whose address
    /// is discovered at deploy time (<paramref name="discoveredPeer"/>), if any.
    /// </summary>
    public static string Region(RegionManifests region, string kubeContext, Func<SecretMaterial, string>? material, string? discoveredPeer = null)
    {
        var writer = new StringWriter();
        writer.WriteLine($"# region: {region.Region} (kube context {kubeContext})");
        var manifests = region.All.Where(m => material is not null || !m.IsSecret).ToList();
        if (material is null)
        {
            writer.WriteLine($"# left out: {string.Join(", ", region.Secrets.Select(s => s.Name))} (the certificate Secrets, leaf keys among them; render --include-secrets)");
        }

        if (discoveredPeer is not null)
        {
            writer.WriteLine($"# region {discoveredPeer}'s address is 'auto': `pulumi up` puts its node address where the EndpointSlices below say auto");
        }

        foreach (var manifest in manifests)
        {
            writer.WriteLine("---");
            writer.Write(Serializer.Serialize(ManifestDocument.ToObject(manifest, material)));
        }

        return writer.ToString();
    }
}
