namespace CrossClusterIac.Topology.Manifests;

/// <summary>What a Cluster rebuilt in place of another (<c>dr rejoin</c>) carries that no other Cluster does.</summary>
public static class RebuiltCluster
{
    /// <summary>
    /// plugin-barman-cloud refuses to restore a Cluster whose own WAL archive is not empty (v0.14.0
    /// internal/cnpgi/restore/restore.go Restore, checkBackupDestination) unless the Cluster carries this annotation with
    /// the value <c>enabled</c> (CNPG v1.30.0 pkg/utils/labels_annotations.go IsEmptyWalArchiveCheckEnabled). A rebuilt
    /// Cluster archives where the Cluster it replaces did, so only a rebuild carries it: a new region's Cluster that finds
    /// WAL in its store was pointed at another cluster's archive, and is stopped by the check.
    /// </summary>
    public const string SkipEmptyWalArchiveCheck = "cnpg.io/skipEmptyWalArchiveCheck";

    /// <summary>The value CNPG reads as set (pkg/utils/labels_annotations.go annotationStatusEnabled).</summary>
    public const string Enabled = "enabled";
}
