using System.Security.Cryptography;
using System.Text;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>A digest of certificate material, for an annotation that must change when the material does.</summary>
public static class MaterialFingerprint
{
    /// <summary>
    /// SHA-256 of <paramref name="values"/> in order, each length-prefixed so that no two lists share a digest. Only
    /// certificates and trust bundles are fingerprinted (<see cref="PoolerTls"/>), never a key.
    /// </summary>
    public static string Of(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var text = new StringBuilder();
        foreach (var value in values)
        {
            text.Append(value.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(':').Append(value);
        }

        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
