using System.Text;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>The Secrets of a namespace as CNPG reads them through the API: by name, then key, values decoded.</summary>
public sealed class SecretStore
{
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _secrets = new(StringComparer.Ordinal);

    /// <summary>Adds Secret documents (<c>data</c> base64, as <see cref="ManifestDocument.ToObject"/> gives them).</summary>
    public SecretStore Add(IEnumerable<IReadOnlyDictionary<string, object?>> documents)
    {
        foreach (var document in documents)
        {
            var name = (string)ManifestFields.Map(document, "metadata")["name"]!;
            var data = ManifestFields.Map(document, "data").ToDictionary(
                p => p.Key,
                p => Encoding.UTF8.GetString(Convert.FromBase64String((string)p.Value!)),
                StringComparer.Ordinal);
            _secrets[name] = data;
        }

        return this;
    }

    /// <summary>The decoded value of <paramref name="key"/> in Secret <paramref name="name"/>.</summary>
    /// <exception cref="CnpgRealisationException">The Secret or the key does not exist, as CNPG would find.</exception>
    public string Get(string name, string key) =>
        !_secrets.TryGetValue(name, out var secret)
            ? throw new CnpgRealisationException($"Secret {name} does not exist in the namespace; CNPG would wait for it")
            : secret.TryGetValue(key, out var value)
                ? value
                : throw new CnpgRealisationException($"Secret {name} has no key '{key}'");

    /// <summary>Reads a <c>{name, key}</c> secret key selector.</summary>
    public string Get(IReadOnlyDictionary<string, object?> selector) =>
        Get((string)selector["name"]!, (string)selector["key"]!);
}
