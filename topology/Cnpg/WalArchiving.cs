using CrossClusterIac.Topology.Manifests;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// Where a Cluster's primary (or a replica cluster's designated primary) archives WAL and where it restores WAL from,
/// as CNPG v1.30 and the barman-cloud plugin v0.14.0 decide it. Archiving: CNPG's <c>wal-archive</c> hands each segment
/// to every enabled plugin that can archive (<c>pkg/management/postgres/archiver/archiver.go</c> Run, internalRun,
/// archiveWALViaPlugins; <c>internal/cnpi/plugin/client/wal.go</c> innerArchiveWAL), on a replica cluster only on its
/// designated primary, and the plugin writes it to the ObjectStore of the Cluster's own <c>spec.plugins</c> entry
/// (plugin-barman-cloud <c>internal/cnpgi/common/wal.go</c> Archive with <c>GetBarmanObjectKey</c>;
/// <c>internal/cnpgi/operator/config/config.go</c> NewFromCluster, NewPlugin), never to a peer's. <c>isWALArchiver</c>
/// only names the plugin CNPG requires to be loaded (<c>api/v1/cluster_funcs.go</c> GetEnabledWALArchivePluginName).
/// Restoring: on a designated primary, from the <c>externalClusters</c> entry named by <c>spec.replica.source</c> when
/// its plugin names an ObjectStore, else from the Cluster's own (<c>wal.go</c> resolveRestoreObjectStore).
/// </summary>
/// <param name="ArchiveTo">The Cluster's own store; <c>null</c> when no barman-cloud plugin is enabled, and CNPG's
/// <c>wal-archive</c> then reports every segment archived and keeps none (archiver.go internalRun, "Backup not configured").</param>
/// <param name="RestoreFrom">A replica cluster's source of archived WAL; <c>null</c> for the primary cluster (which
/// restores nothing) and for a replica cluster no store serves, whose <c>wal-restore</c> then fails every request.</param>
public sealed record WalArchiving(BarmanServer? ArchiveTo, BarmanServer? RestoreFrom)
{
    /// <summary>The archive and restore locations of <paramref name="cluster"/>.</summary>
    /// <exception cref="CnpgRealisationException">The Cluster's barman-cloud plugin names no ObjectStore.</exception>
    public static WalArchiving For(IReadOnlyDictionary<string, object?> cluster)
    {
        var name = (string)ManifestFields.Map(cluster, "metadata")["name"]!;
        var spec = ManifestFields.Map(cluster, "spec");
        var own = ManifestFields.Maps(spec, "plugins").FirstOrDefault(IsEnabledBarmanCloud) is { } plugin
            ? Server(ManifestFields.Map(plugin, "parameters"), name)
                ?? throw new CnpgRealisationException($"spec.plugins[{Objects.BarmanCloudPlugin}].parameters.barmanObjectName is missing: the plugin has no ObjectStore to archive to")
            : null;
        if (!InstanceParameters.IsReplicaCluster(cluster))
        {
            return new WalArchiving(own, null);
        }

        var source = ManifestFields.String(ManifestFields.Map(spec, "replica"), "source");
        var entry = ManifestFields.Maps(spec, "externalClusters").FirstOrDefault(e => ManifestFields.String(e, "name") == source);
        var replicaSource = entry is not null && ManifestFields.Map(entry, "plugin") is var sourcePlugin && IsEnabledBarmanCloud(sourcePlugin)
            ? Server(ManifestFields.Map(sourcePlugin, "parameters"), name)
            : null;
        return new WalArchiving(own, replicaSource ?? own);
    }

    // api/v1 PluginConfiguration.IsEnabled: enabled unless `enabled: false`.
    private static bool IsEnabledBarmanCloud(IReadOnlyDictionary<string, object?> plugin) =>
        ManifestFields.String(plugin, "name") == Objects.BarmanCloudPlugin && plugin.GetValueOrDefault("enabled") is not false;

    // config.go NewFromCluster: serverName defaults to this Cluster's name, for its own store and its source's alike.
    private static BarmanServer? Server(IReadOnlyDictionary<string, object?> parameters, string clusterName) =>
        ManifestFields.String(parameters, "barmanObjectName") is { Length: > 0 } store
            ? new BarmanServer(store, ManifestFields.String(parameters, "serverName") is { Length: > 0 } server ? server : clusterName)
            : null;
}
