using CrossClusterIac.Topology.Outputs;

namespace CrossClusterIac.Verify.Cnpg;

/// <summary>What verify's own SQL saw of a region's read-write instance, as the verify role, beside CNPG's view of it.</summary>
/// <param name="Cluster">The CNPG cluster, e.g. <c>pg-us</c>.</param>
/// <param name="Role">The region's role in the outputs.</param>
/// <param name="InRecovery"><c>pg_is_in_recovery()</c>.</param>
/// <param name="WalReceiverStatus"><c>pg_stat_wal_receiver.status</c>; <c>null</c> when there is no WAL receiver at all.</param>
/// <param name="ServerAddress"><c>inet_server_addr()</c>: the instance's own address on the connection, a pod IP in a cluster.</param>
/// <param name="LastArchivedWal"><c>pg_stat_archiver.last_archived_wal</c>; <c>null</c> when nothing was archived.</param>
public sealed record SqlView(string Cluster, RegionRole Role, bool InRecovery, string? WalReceiverStatus, string? ServerAddress, string? LastArchivedWal)
{
    /// <summary>Whether a WAL receiver streams from the source.</summary>
    public bool IsStreaming => WalReceiverStatus == "streaming";

    /// <summary>e.g. <c>pg_stat_wal_receiver: none</c>, for a report.</summary>
    public string Receiver => $"pg_stat_wal_receiver: {WalReceiverStatus ?? "none"}";
}
