namespace CrossClusterIac.Topology.Manifests;

/// <summary>
/// Tells PgBouncer about every change to the certificates it presents and trusts. CNPG v1.30.0 reconciles a Pooler
/// for a Secret change only when the Secret is its own, its auth-query Secret or its <c>serverTLSSecret</c>
/// (internal/controller/pooler_controller.go getPoolersUsingSecret), never for <c>clientTLSSecret</c>,
/// <c>clientCASecret</c> or <c>serverCASecret</c>; the PgBouncer pods' manager watches its Pooler alone and, on any
/// event of it, metadata included, re-reads every Secret the Pooler names and RELOADs PgBouncer when a file changed
/// (internal/pgbouncer/management/controller/manager.go, secrets.go getSecrets; the Pooler watch has no predicate).
/// So the Pooler carries a fingerprint of those Secrets' certificates: a renewal or a root-rotation phase changes the
/// Pooler's metadata after its Secrets (it depends on them), which reloads PgBouncer without rolling its pods (the
/// Deployment's template hash covers the Pooler's spec only: pkg/specs/pgbouncer computeTemplateHash).
/// </summary>
public static class PoolerTls
{
    /// <summary>The Pooler annotation that holds the fingerprint.</summary>
    public const string Annotation = "crosscluster.io/tls-material";

    /// <summary>The Pooler fields that name a Secret of certificates.</summary>
    public static readonly IReadOnlyList<string> SecretFields = ["serverTLSSecret", "serverCASecret", "clientTLSSecret", "clientCASecret"];

    /// <summary>
    /// <paramref name="pooler"/> with the fingerprint annotation over the public material (certificate chains and trust
    /// bundles, not keys: a key changes only with its certificate) of the <paramref name="secrets"/> its spec names.
    /// </summary>
    public static Manifest Watching(Manifest pooler, IReadOnlyList<Manifest> secrets)
    {
        ArgumentNullException.ThrowIfNull(pooler);
        ArgumentNullException.ThrowIfNull(secrets);
        var material = SecretFields.Select(f => SecretName(pooler, f)).OfType<string>()
            .Select(name => secrets.SingleOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"{pooler} names Secret {name}, which is not among the region's certificate Secrets."))
            .SelectMany(Certificates)
            .ToList();
        return pooler with { MaterialAnnotations = new Dictionary<string, IReadOnlyList<SecretMaterial>>(StringComparer.Ordinal) { [Annotation] = material } };
    }

    /// <summary>The Secret <paramref name="pooler"/>'s <c>spec.pgbouncer.&lt;field&gt;</c> names, or <c>null</c>.</summary>
    public static string? SecretName(Manifest pooler, string field)
    {
        ArgumentNullException.ThrowIfNull(pooler);
        var pgbouncer = (IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)pooler.Body["spec"]!)["pgbouncer"]!;
        return (pgbouncer.GetValueOrDefault(field) as IReadOnlyDictionary<string, object?>)?["name"] as string;
    }

    /// <summary>A certificate Secret's public material: its chains and trust bundles, not its key.</summary>
    public static IEnumerable<SecretMaterial> Certificates(Manifest secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        return ((IReadOnlyDictionary<string, object?>)secret.Body["data"]!).Values.OfType<SecretMaterial>().Where(m => m.Part != MaterialPart.PrivateKey);
    }
}
