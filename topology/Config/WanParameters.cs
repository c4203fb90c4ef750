namespace CrossClusterIac.Topology.Config;

/// <summary>
/// The PostgreSQL parameters the project sets on every Cluster beside the user's (<see cref="PostgresSettings.Parameters"/>),
/// and the ones no user may set.
/// </summary>
public static class WanParameters
{
    /// <summary>
    /// Replication timeouts for streams that cross regions. CNPG sets both to 5s (v1.30.0 pkg/postgres/configuration.go),
    /// sized for a pod network; a replica region's designated primary streams from another region over a WAN link whose
    /// stalls (a congested path, a route change) last seconds, and a 5 s timeout turns each into a dropped stream, a new
    /// TLS connection and a fall-back to the archive meanwhile. 30 s rides through such stalls while a dead peer is still
    /// noticed within half a minute (PostgreSQL's own default is 60 s); the in-region standbys' streams share it, and CNPG
    /// detects a failed instance by its probes, not by this timeout.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["wal_sender_timeout"] = "30s",
        ["wal_receiver_timeout"] = "30s",
    };

    /// <summary>
    /// Parameters the user may not set, with what to do instead: CNPG's fixed and blocked ones, which its webhook refuses
    /// (v1.30.0 pkg/postgres/configuration.go FixedConfigurationParameters and BlockedConfigurationParameters), and those
    /// the topology sets from its own keys.
    /// </summary>
    public static string? Refusal(string name) => name switch
    {
        "archive_timeout" => "set topology.replication.archiveTimeout instead, which every Cluster takes",
        "recovery_min_apply_delay" => "set topology.regions[].replication.minApplyDelay instead (CNPG's spec.replica.minApplyDelay)",
        _ when Cnpg.InstanceParameters.ManagedByCnpg.Contains(name) => "CNPG manages it, and its webhook refuses a value for it",
        _ => null,
    };
}
