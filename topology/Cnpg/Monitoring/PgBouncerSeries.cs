using System.Globalization;

namespace CrossClusterIac.Topology.Cnpg.Monitoring;

/// <summary>The result of one <c>SHOW</c> command on PgBouncer's admin console: column names and rows as text, or the error.</summary>
/// <param name="Columns">Column names.</param>
/// <param name="Rows">Rows, each value as PgBouncer's text.</param>
/// <param name="Failed">Whether the command failed (nothing else is then read from it).</param>
public sealed record AdminResult(IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows, bool Failed = false)
{
    /// <summary>A command that failed: PgBouncer did not answer or refused.</summary>
    public static AdminResult Failure { get; } = new([], [], Failed: true);
}

/// <summary>
/// What CNPG v1.30.0's pooler exporter makes of PgBouncer's <c>SHOW LISTS</c>, <c>SHOW POOLS</c> and <c>SHOW STATS</c>
/// (pkg/management/pgbouncer/metricsserver: lists.go collectShowLists, pools.go collectShowPools, stats.go
/// collectShowStats, pgbouncer_collector.go Collect). <c>cnpg_pgbouncer_up</c> is defined there but never described
/// nor collected, so it is not exported here either; <c>cnpg_pgbouncer_last_collection_error</c> ends as the last
/// command left it (each sets it to 1 on failure and to 0 when it runs).
/// </summary>
public static class PgBouncerSeries
{
    private const string Prefix = "cnpg_pgbouncer";

    // SHOW LISTS items CNPG knows (lists.go NewShowListsMetrics); an item it does not know is not exported.
    private static readonly string[] ListItems =
        ["databases", "users", "pools", "free_clients", "used_clients", "login_clients", "free_servers", "used_servers", "dns_names", "dns_zones", "dns_queries", "dns_pending"];

    // SHOW POOLS columns by metric (pools.go): every one is set for every row, 0 when this PgBouncer has no such column.
    private static readonly (string Metric, string Column)[] PoolColumns =
    [
        ("cl_active", "cl_active"), ("cl_waiting", "cl_waiting"), ("cl_cancel_req", "cl_cancel_req"),
        ("cl_active_cancel_req", "cl_active_cancel_req"), ("cl_waiting_cancel_req", "cl_waiting_cancel_req"),
        ("sv_active", "sv_active"), ("sv_active_cancel", "sv_active_cancel"), ("sv_wait_cancels", "sv_being_canceled"),
        ("sv_idle", "sv_idle"), ("sv_used", "sv_used"), ("sv_tested", "sv_tested"), ("sv_login", "sv_login"),
        ("maxwait", "maxwait"), ("maxwait_us", "maxwait_us"), ("pool_mode", "pool_mode"), ("load_balance_hosts", "load_balance_hosts"),
    ];

    private static readonly string[] StatColumns =
    [
        "total_xact_count", "total_query_count", "total_received", "total_sent", "total_xact_time", "total_query_time", "total_wait_time",
        "avg_xact_count", "avg_query_count", "avg_recv", "avg_sent", "avg_xact_time", "avg_query_time", "avg_wait_time",
    ];

    // stats.go: 16 columns (PgBouncer 1.23) add the assignment counts; any other count, 1.18's 15 included, sets the parse and bind counts.
    private static readonly string[] AssignmentColumns = ["total_server_assignment_count", "avg_server_assignment_count"];
    private static readonly string[] ParseColumns = ["total_client_parse_count", "total_server_parse_count", "total_bind_count", "avg_client_parse_count", "avg_server_parse_count", "avg_bind_count"];

    /// <summary>The series of one scrape; <paramref name="collections"/> counts the scrapes so far, this one included.</summary>
    public static IReadOnlyList<MetricSample> From(AdminResult lists, AdminResult pools, AdminResult stats, long collections, double durationSeconds)
    {
        ArgumentNullException.ThrowIfNull(lists);
        ArgumentNullException.ThrowIfNull(pools);
        ArgumentNullException.ThrowIfNull(stats);
        var samples = new List<MetricSample>();
        if (!lists.Failed)
        {
            var items = lists.Rows.ToDictionary(r => r[0], r => Number(r[1]), StringComparer.Ordinal);
            // Reset to -1 each scrape, then set from the rows: an item PgBouncer does not list reads -1.
            samples.AddRange(ListItems.Select(item => MetricSample.Gauge($"{Prefix}_lists_{item}", $"SHOW LISTS {item}.", items.GetValueOrDefault(item, -1))));
        }

        if (!pools.Failed)
        {
            foreach (var metric in PoolColumns)
            {
                samples.AddRange(pools.Rows.Select(row => Labelled($"{Prefix}_pools_{metric.Metric}", $"SHOW POOLS {metric.Column}.", Pool(pools, row, metric.Column), ("database", row[0]), ("user", row[1]))));
            }
        }

        if (!stats.Failed)
        {
            var extra = stats.Columns.Count == 16 ? AssignmentColumns : ParseColumns;
            foreach (var column in StatColumns.Concat(extra))
            {
                var at = Index(stats.Columns, column);
                samples.AddRange(stats.Rows.Select(row => Labelled($"{Prefix}_stats_{column}", $"SHOW STATS {column}.", at < 0 ? 0 : Number(row[at]), ("database", row[0]))));
            }
        }

        // Each command sets the error (1 when it fails, or SHOW LISTS names an item CNPG does not know; 0 when it
        // runs), in the order LISTS, POOLS, STATS: what is exported is what SHOW STATS left.
        var error = stats.Failed;
        samples.Add(new MetricSample($"{Prefix}_collections_total", ColumnUsage.Counter, "Total number of times PostgreSQL was accessed for metrics.", [], collections));
        samples.Add(MetricSample.Gauge($"{Prefix}_last_collection_error", "1 if the last collection ended with error, 0 otherwise.", error ? 1 : 0));
        samples.Add(MetricSample.Gauge($"{Prefix}_collection_duration_seconds", "Collection time duration in seconds", durationSeconds, new KeyValuePair<string, string>("collector", "Collect.up")));
        return samples;
    }

    private static double Pool(AdminResult pools, IReadOnlyList<string> row, string column)
    {
        var at = Index(pools.Columns, column);
        if (at < 0)
        {
            return 0;
        }

        // poolModeToInt
        return column == "pool_mode"
            ? row[at] switch { "session" => 1, "transaction" => 2, "statement" => 3, _ => -1 }
            : Number(row[at]);
    }

    private static int Index(IReadOnlyList<string> columns, string name) => columns.ToList().IndexOf(name);

    private static MetricSample Labelled(string name, string help, double value, params (string Key, string Value)[] labels) =>
        new(name, ColumnUsage.Gauge, help, [.. labels.Select(l => new KeyValuePair<string, string>(l.Key, l.Value))], value);

    private static double Number(string text) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
