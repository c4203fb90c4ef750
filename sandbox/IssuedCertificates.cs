using System.Text.Json;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// Every certificate and key the sandbox issued, CA keys included: what a Pulumi stack's state holds of its PKI
/// (secret), kept so that a rotation renews from it as <c>pulumi up</c> renews from the state, and what fills every
/// region's Secrets when CNPG reads them again (a switchover points a region at another source, whose
/// <c>external/&lt;entry&gt;/</c> files it writes then). One file, 0600, in the sandbox directory only, removed with it;
/// no server reads it.
/// </summary>
internal static class IssuedCertificates
{
    /// <summary>The file, in the sandbox directory; rewritten by every rotation.</summary>
    public const string FileName = "pki-state.json";

    /// <summary>Replaces the stored certificates with <paramref name="pki"/>'s.</summary>
    public static void Write(string directory, IssuedPki pki) =>
        SecretFile.Write(Path.Combine(directory, FileName), JsonSerializer.Serialize(pki.Export(), TopologyOutputsJson.Options));

    /// <summary>The stored certificates that <paramref name="plan"/> still has, to renew from.</summary>
    /// <exception cref="SandboxException">The file is missing: the sandbox was started by a version that did not keep it.</exception>
    public static IssuedPki Read(string directory, PkiPlan plan)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new SandboxException($"{path} is missing, so the sandbox cannot realise a changed Cluster or renew its certificates; start it again with `sandbox down` and `sandbox up`.");
        }

        var stored = JsonSerializer.Deserialize<Dictionary<string, StoredCertificate>>(File.ReadAllText(path), TopologyOutputsJson.Options)!;
        return IssuedPki.Import(plan, stored);
    }
}
