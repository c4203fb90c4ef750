using System.Globalization;

namespace CrossClusterIac.Topology.Cnpg;

/// <summary>
/// The PostgreSQL parameters CNPG v1.30 writes into <c>custom.conf</c> for a Cluster
/// (<c>pkg/postgres/configuration.go</c> CnpgConfigurationSettings, FixedConfigurationParameters,
/// CreatePostgresqlConfiguration): its defaults, the Cluster's <c>spec.postgresql.parameters</c> over them, then the
/// values it computes and the mandatory ones over everything.
/// </summary>
public static class InstanceParameters
{
    /// <summary>CNPG's defaults (GlobalDefaultSettings); a user value replaces them.</summary>
    public static IReadOnlyDictionary<string, string> Defaults { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["archive_timeout"] = "5min",
        ["dynamic_shared_memory_type"] = "posix",
        ["full_page_writes"] = "on",
        ["logging_collector"] = "on",
        ["log_destination"] = "csvlog",
        ["log_directory"] = "/controller/log",
        ["log_filename"] = "postgres",
        ["log_rotation_age"] = "0",
        ["log_rotation_size"] = "0",
        ["log_truncate_on_rotation"] = "false",
        ["max_parallel_workers"] = "32",
        ["max_worker_processes"] = "32",
        ["max_replication_slots"] = "32",
        ["shared_memory_type"] = "mmap",
        ["ssl_max_protocol_version"] = "TLSv1.3",
        ["ssl_min_protocol_version"] = "TLSv1.3",
        ["wal_keep_size"] = "512MB",
        ["wal_level"] = "logical",
        ["wal_log_hints"] = "on",
        ["wal_sender_timeout"] = "5s",
        ["wal_receiver_timeout"] = "5s",
        ["shared_preload_libraries"] = string.Empty,
    };

    /// <summary>
    /// FixedConfigurationParameters and BlockedConfigurationParameters: the webhook refuses a user value for these
    /// ("Can't set fixed configuration parameter"), or ("blocked") for those that must keep PostgreSQL's default.
    /// </summary>
    public static IReadOnlySet<string> ManagedByCnpg => Refused;

    private static readonly HashSet<string> Refused = new(StringComparer.Ordinal)
    {
        "archive_mode", "cluster_name", "port", "primary_conninfo", "primary_slot_name", "recovery_target",
        "recovery_target_action", "recovery_target_inclusive", "recovery_target_lsn", "recovery_target_name",
        "recovery_target_time", "recovery_target_timeline", "recovery_target_xid", "restore_command",
        "shared_preload_libraries", "temp_tablespaces", "archive_command", "ssl", "ssl_ca_file", "ssl_cert_file",
        "ssl_crl_file", "ssl_dh_params_file", "ssl_ecdh_curve", "ssl_key_file", "ssl_passphrase_command",
        "ssl_passphrase_command_supports_reload", "ssl_prefer_server_ciphers", "synchronous_standby_names",
        "synchronized_standby_slots", "allow_system_table_mods", "bonjour", "bonjour_name", "config_file",
        "data_directory", "data_sync_retry", "event_source", "external_pid_file", "hba_file", "hot_standby",
        "ident_file", "jit_provider", "listen_addresses", "logging_collector", "unix_socket_directories",
        "unix_socket_group", "unix_socket_permissions", "archive_cleanup_command", "log_destination",
        "log_directory", "log_file_mode", "log_filename", "log_rotation_age", "log_rotation_size",
        "log_truncate_on_rotation", "promote_trigger_file", "recovery_end_command", "recovery_min_apply_delay",
        "restart_after_crash", "stats_temp_directory", "syslog_facility", "syslog_ident", "syslog_sequence_numbers",
        "syslog_split_messages",
    };

    /// <summary>
    /// The parameters of <paramref name="cluster"/>'s instances, with CNPG's file locations under
    /// <paramref name="paths"/>. <c>archive_mode</c> is <c>always</c> on a replica cluster and <c>on</c> otherwise.
    /// </summary>
    /// <exception cref="CnpgRealisationException">The Cluster sets a parameter CNPG's webhook refuses.</exception>
    public static IReadOnlyDictionary<string, string> For(IReadOnlyDictionary<string, object?> cluster, ControllerPaths paths)
    {
        var parameters = new Dictionary<string, string>(Defaults, StringComparer.Ordinal);
        foreach (var (key, value) in ManifestFields.Map(cluster, "spec", "postgresql", "parameters"))
        {
            if (Refused.Contains(key))
            {
                throw new CnpgRealisationException($"spec.postgresql.parameters.{key}: CNPG manages this parameter and its webhook refuses a value for it");
            }

            parameters[key] = value?.ToString() ?? string.Empty;
        }

        parameters["cluster_name"] = (string)ManifestFields.Map(cluster, "metadata")["name"]!;
        parameters["archive_mode"] = IsReplicaCluster(cluster) ? "always" : "on";
        parameters["archive_command"] = "/controller/manager wal-archive --log-destination /controller/log/postgres.json %p";
        parameters["hot_standby"] = "true";
        parameters["listen_addresses"] = "*";
        parameters["port"] = "5432";
        parameters["restart_after_crash"] = "false";
        parameters["ssl"] = "on";
        parameters["ssl_cert_file"] = paths.ServerCertificate;
        parameters["ssl_key_file"] = paths.ServerKey;
        parameters["ssl_ca_file"] = paths.ClientCa;
        parameters["unix_socket_directories"] = paths.SocketDirectory;

        // pkg/management/postgres/configuration.go (a replica cluster's spec.replica.minApplyDelay) and
        // pkg/postgres/configuration.go CreatePostgresqlConfiguration: on every instance, in whole seconds, floored.
        if (IsReplicaCluster(cluster) && ManifestFields.String(ManifestFields.Map(ManifestFields.Map(cluster, "spec"), "replica"), "minApplyDelay") is { } delay)
        {
            parameters["recovery_min_apply_delay"] = Config.ApplyDelay.TryParse(delay, out var parsed)
                ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(parsed.TotalSeconds)}s")
                : throw new CnpgRealisationException($"spec.replica.minApplyDelay: '{delay}' is not a duration CNPG parses");
        }

        return parameters;
    }

    /// <summary>
    /// Whether the Cluster is a replica cluster (<c>api/v1/cluster_funcs.go</c> IsReplica): <c>spec.replica.enabled</c>
    /// when set, otherwise whether <c>spec.replica.primary</c> names a cluster other than itself.
    /// </summary>
    public static bool IsReplicaCluster(IReadOnlyDictionary<string, object?> cluster)
    {
        var spec = ManifestFields.Map(cluster, "spec");
        if (!spec.ContainsKey("replica"))
        {
            return false;
        }

        var replica = ManifestFields.Map(spec, "replica");
        if (replica.TryGetValue("enabled", out var enabled) && enabled is bool explicitly)
        {
            return explicitly;
        }

        var self = ManifestFields.String(replica, "self") ?? (string)ManifestFields.Map(cluster, "metadata")["name"]!;
        return self != ManifestFields.String(replica, "primary");
    }

    /// <summary>Renders parameters as a PostgreSQL configuration file, one quoted <c>key = 'value'</c> per line, sorted.</summary>
    public static string Render(IReadOnlyDictionary<string, string> parameters) =>
        string.Concat(parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} = '{p.Value.Replace("'", "''", StringComparison.Ordinal)}'\n"));
}
