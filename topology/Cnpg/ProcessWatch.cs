using System.Text.Json;
using CrossClusterIac.Topology.Lifecycle;
using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// What CNPG v1.30.0 watches on behalf of a region's PostgreSQL and PgBouncer, as one digest each: a process is told of
/// an update, and re-reads its certificates, exactly when its digest changes (see <see cref="CnpgReaction"/>).
/// </summary>
/// <param name="Instance">
/// The certificates of the Secrets the Cluster uses and that CNPG watches (labelled <c>cnpg.io/reload</c>: cluster_funcs.go
/// UsesSecret, cluster_controller.go isUsefulClusterSecret): a change makes the instance manager rewrite its files and
/// reload PostgreSQL (RefreshSecrets).
/// </param>
/// <param name="Pooler">
/// The Pooler object, metadata included, and its <c>serverTLSSecret</c>'s certificate, whose version its status records:
/// any change is an event of the Pooler, on which the PgBouncer pods' manager re-reads every Secret it names and
/// RELOADs (manager.go; pooler_controller.go getPoolersUsingSecret, pooler_status.go).
/// </param>
public sealed record ProcessWatch(string Instance, string Pooler)
{
    /// <summary>The digests for <paramref name="region"/>'s manifests with <paramref name="material"/> filled in.</summary>
    public static ProcessWatch For(RegionManifests region, Func<SecretMaterial, string> material)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(material);
        var watched = region.Secrets.Where(s => s.Labels.ContainsKey(Objects.ReloadLabel)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        IEnumerable<string> Certificates(string? secret) => secret is not null && watched.TryGetValue(secret, out var manifest)
            ? PoolerTls.Certificates(manifest).Select(material).Prepend(secret)
            : [];

        var clusterSecrets = CnpgReaction.ClusterSecrets(ManifestDocument.ToObject(region.Cluster)).Order(StringComparer.Ordinal);
        return new ProcessWatch(
            MaterialFingerprint.Of(clusterSecrets.SelectMany(Certificates)),
            MaterialFingerprint.Of([JsonSerializer.Serialize(ManifestDocument.ToObject(region.Pooler, material)), .. Certificates(PoolerTls.SecretName(region.Pooler, "serverTLSSecret"))]));
    }
}
