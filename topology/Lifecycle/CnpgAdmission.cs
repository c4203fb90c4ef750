using System.Globalization;

namespace CrossClusterIac.Topology.Lifecycle;

/// <summary>
/// CNPG v1.30.0's admission of the objects this project sends, on create and on update: the webhook's rules for the
/// fields the manifests use (internal/webhook/v1/cluster_webhook.go, pooler_webhook.go). ValidateUpdate runs every
/// create rule again (validate) and then validateClusterChanges, so an object admitted once is not admitted for good.
/// </summary>
public static class CnpgAdmission
{
    /// <summary>One webhook rule: its source, whether it runs on create and on update, and its check.</summary>
    /// <param name="Source">File and function it was read from.</param>
    /// <param name="OnCreate">Runs when the object is created.</param>
    /// <param name="OnUpdate">Runs when it is updated.</param>
    /// <param name="Check">The refusal for the object sent (and, on update, the one it replaces), or <c>null</c>.</param>
    public sealed record Rule(string Source, bool OnCreate, bool OnUpdate, Func<ObjectImage, ObjectImage?, string?> Check);

    /// <summary>The Cluster rules.</summary>
    public static readonly IReadOnlyList<Rule> ClusterRules =
    [
        new("cluster_webhook.go validateBootstrapRecoverySource", true, true, (sent, _) =>
            sent.At("spec.bootstrap.recovery.source") is string source
                ? ExternalCluster(sent, source) is not { } entry
                    ? $"spec.bootstrap.recovery.source: External cluster {source} not found"
                    : !entry.ContainsKey("connectionParameters") && !entry.ContainsKey("barmanObjectStore") && !entry.ContainsKey("plugin")
                        ? $"spec.bootstrap.recovery.source: External cluster {source} cannot be used for recovery: missing connection parameters, Barman, or CNPG-i configuration"
                        : null
                : null),
        new("cluster_webhook.go validateReplicaClusterExternalClusters", true, true, (sent, _) =>
            new[] { "source", "self", "primary" }.Select(field => sent.At($"spec.replica.{field}") as string)
                .OfType<string>().FirstOrDefault(name => ExternalCluster(sent, name) is null) is { } missing
                ? $"spec.replica: External cluster {missing} not found"
                : null),
        new("cluster_webhook.go validatePromotionToken", true, true, (sent, _) =>
            sent.At("spec.replica.promotionToken") is not string
                ? null
                : sent.At("spec.replica.minApplyDelay") is not null
                    ? "spec.replica.minApplyDelay: minApplyDelay cannot be applied with a promotion token"
                    : !Equals(sent.At("spec.replica.self"), sent.At("spec.replica.primary"))
                        ? "spec.replica.promotionToken: promotionToken is only allowed for primary clusters"
                        : null),
        new("cluster_webhook.go validateReplicaMode (on create: ResourceVersion empty)", true, false, (sent, _) =>
            IsReplica(sent) && sent.At("spec.bootstrap.initdb") is not null
                ? "spec.bootstrap: replica mode bootstrap is compatible only with pg_basebackup or recovery"
                : null),
        new("cluster_webhook.go validateReplicaMode", true, true, (sent, _) =>
            IsReplica(sent) && sent.At("spec.bootstrap") is null ? "spec.bootstrap: bootstrap configuration is required for replica mode" : null),
        new("cluster_webhook.go validateWalStorageChange", false, true, (sent, old) =>
            old?.At("spec.walStorage") is not null && sent.At("spec.walStorage") is null ? "spec.walStorage: walStorage cannot be disabled once configured" : null),
        new("cluster_webhook.go validateStorageChange", false, true, (sent, old) =>
            Shrinks(old?.At("spec.storage.size"), sent.At("spec.storage.size")) is { } shrink ? $"spec.storage.size: can't shrink existing storage from {shrink}" : null),
    ];

    /// <summary>
    /// The PgBouncer parameters the Pooler webhook accepts (pooler_webhook.go AllowedPgbouncerGenericConfigurationParameters,
    /// those this project may set); any other is "Invalid or reserved parameter".
    /// </summary>
    public static readonly IReadOnlySet<string> PoolerParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        "auth_type", "client_tls_sslmode", "server_tls_sslmode", "server_login_retry", "server_connect_timeout",
        "server_check_delay", "server_fast_close", "query_wait_timeout", "client_login_timeout", "tcp_keepalive",
        "tcp_keepidle", "tcp_keepintvl", "tcp_keepcnt", "tcp_user_timeout",
    };

    /// <summary>The Pooler rules.</summary>
    public static readonly IReadOnlyList<Rule> PoolerRules =
    [
        new("pooler_webhook.go validatePgbouncerGenericParameters", true, true, (sent, _) =>
            sent.At("spec.pgbouncer.parameters") is IReadOnlyDictionary<string, object?> parameters
                && parameters.Keys.FirstOrDefault(k => !PoolerParameters.Contains(k)) is { } bad
                ? $"spec.pgbouncer.parameters.{bad}: Invalid or reserved parameter"
                : null),
        new("pooler_webhook.go validatePgBouncer (hasPGAuthentication: serverTLSSecret or authQuerySecret)", true, true, (sent, _) =>
            (sent.At("spec.pgbouncer.serverTLSSecret") is not null || sent.At("spec.pgbouncer.authQuerySecret") is not null) != sent.At("spec.pgbouncer.authQuery") is string
                ? "spec.pgbouncer.authQuery: must specify an auth query when providing an auth query secret (and none without one)"
                : null),
    ];

    /// <summary>The refusals of <paramref name="sent"/>, created when <paramref name="old"/> is <c>null</c>, else updated from it.</summary>
    public static IReadOnlyList<string> Refusals(ObjectImage sent, ObjectImage? old)
    {
        ArgumentNullException.ThrowIfNull(sent);
        var rules = sent.Manifest.Kind switch
        {
            "Cluster" => ClusterRules,
            "Pooler" => PoolerRules,
            _ => [],
        };
        return [.. rules.Where(r => old is null ? r.OnCreate : r.OnUpdate).Select(r => r.Check(sent, old)).OfType<string>()];
    }

    // api/v1 cluster_funcs.go IsReplica: with no `enabled`, a Cluster is a replica when replica.self is not replica.primary.
    private static bool IsReplica(ObjectImage cluster) =>
        cluster.At("spec.replica") is not null && !Equals(cluster.At("spec.replica.self"), cluster.At("spec.replica.primary"));

    private static IReadOnlyDictionary<string, object?>? ExternalCluster(ObjectImage cluster, string name) =>
        (cluster.At("spec.externalClusters") as System.Collections.IEnumerable)?.OfType<IReadOnlyDictionary<string, object?>>()
            .FirstOrDefault(e => Equals(e.GetValueOrDefault("name"), name));

    private static string? Shrinks(object? before, object? after) =>
        before is string b && after is string a && Quantity(a) < Quantity(b) ? $"{b} to {a}" : null;

    // Binary-suffixed quantities as the manifests write them (Mi, Gi, Ti).
    private static decimal Quantity(string text)
    {
        var units = new Dictionary<string, decimal>(StringComparer.Ordinal) { ["Ki"] = 1m, ["Mi"] = 1024m, ["Gi"] = 1024m * 1024, ["Ti"] = 1024m * 1024 * 1024 };
        var unit = units.Keys.FirstOrDefault(u => text.EndsWith(u, StringComparison.Ordinal));
        return decimal.Parse(unit is null ? text : text[..^unit.Length], CultureInfo.InvariantCulture) * (unit is null ? 1 : units[unit]);
    }
}
