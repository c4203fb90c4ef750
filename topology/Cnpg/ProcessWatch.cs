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
    private const string ReloadLabel = "cnpg.io/reload";

    /// <summary>The digests for <paramref name="region"/>'s manifests with <paramref name="material"/> filled in.</summary>
    public static ProcessWatch For(RegionManifests region, Func<SecretMaterial, string> material)
    {
        ArgumentNullException.ThrowIfNull(region);
        ArgumentNullException.ThrowIfNull(material);
        var watched = region.Secrets.Where(s => s.Labels.ContainsKey(ReloadLabel)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        IEnumerable<string> Certificates(string secret) => watched.TryGetValue(secret, out var manifest)
            ? ((IReadOnlyDictionary<string, object?>)manifest.Body["data"]!).Values.OfType<SecretMaterial>().Where(m => m.Part != MaterialPart.PrivateKey).Select(material).Prepend(secret)
            : [];

        var clusterSecrets = CnpgReaction.ClusterSecrets(ManifestDocument.ToObject(region.Cluster)).Order(StringComparer.Ordinal);
        var pooler = ManifestDocument.ToObject(region.Pooler, material);
        var serverTls = (string?)((IReadOnlyDictionary<string, object?>?)((IReadOnlyDictionary<string, object?>)((IReadOnlyDictionary<string, object?>)pooler["spec"]!)["pgbouncer"]!).GetValueOrDefault("serverTLSSecret"))?["name"];
        return new ProcessWatch(
            MaterialFingerprint.Of(clusterSecrets.SelectMany(Certificates)),
            MaterialFingerprint.Of(serverTls is null ? [JsonSerializer.Serialize(pooler)] : [JsonSerializer.Serialize(pooler), .. Certificates(serverTls)]));
    }
}
