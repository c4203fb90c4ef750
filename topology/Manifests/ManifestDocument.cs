using System.Text;

namespace CrossClusterIac.Topology.Manifests;

/// <summary>A manifest as the plain object Kubernetes reads, for printing as YAML or validating against a schema.</summary>
public static class ManifestDocument
{
    /// <summary>
    /// The full object. <paramref name="material"/> supplies each Secret value as PEM text; it is needed only for
    /// Secrets, whose <c>data</c> values come out base64-encoded as the API expects.
    /// </summary>
    /// <exception cref="InvalidOperationException">A Secret is converted without <paramref name="material"/>.</exception>
    /// <remarks><paramref name="notAfter"/> gives each certificate's end, for the certificate query's ConfigMap.</remarks>
    public static Dictionary<string, object?> ToObject(Manifest manifest, Func<SecretMaterial, string>? material = null, Func<Pki.CertificateSpec, DateTimeOffset>? notAfter = null)
    {
        var metadata = new Dictionary<string, object?> { ["name"] = manifest.Name };
        if (manifest.Namespace.Length > 0)
        {
            // Empty for a cluster-scoped object (the Namespace itself), which an API server refuses to see namespaced.
            metadata["namespace"] = manifest.Namespace;
        }

        if (manifest.Labels.Count > 0)
        {
            metadata["labels"] = manifest.Labels.ToDictionary(p => p.Key, p => (object?)p.Value);
        }

        // A fingerprint annotation exists only where the material does; what reads an object for its spec alone (the
        // sandbox's PgBouncer configuration) gives none.
        var annotations = manifest.Annotations.ToDictionary(p => p.Key, p => (object?)p.Value);
        if (material is not null)
        {
            foreach (var (key, parts) in manifest.MaterialAnnotations)
            {
                annotations[key] = MaterialFingerprint.Of(parts.Select(material));
            }
        }

        if (annotations.Count > 0)
        {
            metadata["annotations"] = annotations;
        }

        var document = new Dictionary<string, object?> { ["apiVersion"] = manifest.ApiVersion, ["kind"] = manifest.Kind, ["metadata"] = metadata };
        foreach (var (key, value) in manifest.Body)
        {
            document[key] = Resolve(value, manifest, material, notAfter);
        }

        return document;
    }

    /// <summary>Whether the manifest holds what only the issued certificates fill in (a Secret's keys, the certificate query's dates).</summary>
    public static bool HoldsIssuedMaterial(Manifest manifest) => manifest.Body.Values.Any(Holds);

    private static bool Holds(object? value) => value switch
    {
        SecretMaterial or CertificateExpiries => true,
        IReadOnlyDictionary<string, object?> map => map.Values.Any(Holds),
        string => false,
        System.Collections.IEnumerable list => list.Cast<object?>().Any(Holds),
        _ => false,
    };

    private static object? Resolve(object? value, Manifest manifest, Func<SecretMaterial, string>? material, Func<Pki.CertificateSpec, DateTimeOffset>? notAfter) => value switch
    {
        SecretMaterial secret => material is null
            ? throw new InvalidOperationException($"{manifest} holds certificate material; pass a source for it.")
            : Convert.ToBase64String(Encoding.ASCII.GetBytes(material(secret))),
        CertificateExpiries expiries => notAfter is null
            ? throw new InvalidOperationException($"{manifest} holds certificates' end dates; pass a source for them.")
            : expiries.Render(notAfter),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(p => p.Key, p => Resolve(p.Value, manifest, material, notAfter)),
        IReadOnlyDictionary<string, string> strings => strings.ToDictionary(p => p.Key, p => (object?)p.Value),
        string text => text,
        System.Collections.IEnumerable list => list.Cast<object?>().Select(item => Resolve(item, manifest, material, notAfter)).ToList(),
        _ => value,
    };
}
