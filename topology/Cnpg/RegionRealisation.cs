using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>What CNPG v1.30 makes of one region's rendered manifests: its instance, its pooler and the app Secret.</summary>
/// <param name="Instance">The Cluster's primary (or designated primary) instance.</param>
/// <param name="Pooler">The Pooler's PgBouncer.</param>
/// <param name="AppSecret">The <c>-app</c> Secret the operator creates, or <c>null</c>.</param>
/// <param name="Watch">What CNPG watches on behalf of the region's PostgreSQL and PgBouncer.</param>
public sealed record RegionRealisation(ClusterInstance Instance, PgBouncerConfiguration Pooler, Manifest? AppSecret, ProcessWatch Watch)
{
    /// <summary>
    /// Realises <paramref name="region"/>: <paramref name="material"/> fills the certificate Secrets, and
    /// <paramref name="appPassword"/> is the password CNPG would generate for the app Secret.
    /// </summary>
    /// <exception cref="CnpgRealisationException">CNPG would refuse a manifest or miss a Secret.</exception>
    public static RegionRealisation For(RegionManifests region, Func<SecretMaterial, string> material, ControllerPaths paths, string osUser, string appPassword)
    {
        var cluster = ManifestDocument.ToObject(region.Cluster);
        var appSecret = ApplicationSecret.For(cluster, appPassword);
        var secrets = new SecretStore().Add(region.Secrets.Select(s => (IReadOnlyDictionary<string, object?>)ManifestDocument.ToObject(s, material)));
        return new RegionRealisation(
            ClusterInstance.For(cluster, secrets, paths, osUser, appSecret is null ? null : appPassword),
            PgBouncerConfiguration.For(ManifestDocument.ToObject(region.Pooler), secrets, paths),
            appSecret,
            ProcessWatch.For(region, material));
    }
}
