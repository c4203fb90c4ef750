namespace CrossClusterIac.Tests.Sandbox.Links;

/// <summary>What the tests that cut a link ask a replica before they cut it.</summary>
internal static class ReplicaStream
{
    /// <summary>
    /// True once the replica streams for certain, and so may be cut: PostgreSQL says 'streaming' from the moment a WAL
    /// receiver starts, before it connects (src/backend/replication/walreceiver.c WalReceiverMain), and its replication
    /// handshake waits with no timeout; latest_end_lsn is set only from a message of the streaming loop
    /// (ProcessWalSndrMessage) and reads null until then (pg_stat_get_wal_receiver). A cut in the handshake left a
    /// receiver 'streaming' for good and failed the tests that cut.
    /// </summary>
    public const string Established = "SELECT coalesce(bool_or(status = 'streaming' AND latest_end_lsn IS NOT NULL), false) FROM pg_stat_wal_receiver";
}
