using System.Text.Json;
using CrossClusterIac.Topology.Cnpg;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// The content of every certificate Secret the regions hold, as a Kubernetes cluster keeps its Secrets after
/// <c>pulumi up</c>: what CNPG reads again when a Cluster changes (a switchover points a region at another source,
/// whose <c>external/&lt;entry&gt;/</c> files it writes then). One file, 0600, removed with the sandbox.
/// </summary>
internal static class ClusterSecrets
{
    private const string FileName = "cluster-secrets.json";

    /// <summary>Keeps the material of every Secret of <paramref name="regions"/>.</summary>
    public static void Write(string directory, IEnumerable<RegionManifests> regions, IssuedPki pki)
    {
        var material = regions.SelectMany(r => r.Secrets)
            .SelectMany(s => ((IReadOnlyDictionary<string, object?>)s.Body["data"]!).Values.OfType<SecretMaterial>())
            .Distinct()
            .ToDictionary(Key, pki.Material, StringComparer.Ordinal);
        SecretFile.Write(Path.Combine(directory, FileName), JsonSerializer.Serialize(material, TopologyOutputsJson.Options));
    }

    /// <summary>The material kept in <paramref name="directory"/>, as <see cref="RegionRealisation"/> reads it.</summary>
    /// <exception cref="SandboxException">The file is missing: the sandbox was started by a version that did not keep it.</exception>
    public static Func<SecretMaterial, string> Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new SandboxException($"{path} is missing, so the sandbox cannot realise a changed Cluster; start it again with `sandbox down` and `sandbox up`.");
        }

        var material = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(path), TopologyOutputsJson.Options)!;
        return m => material.TryGetValue(Key(m), out var value)
            ? value
            : throw new SandboxException($"{path} holds no {m.Part} of {m.Certificate.Id}.");
    }

    private static string Key(SecretMaterial material) => $"{material.Certificate.Id}/{material.Part}";
}
