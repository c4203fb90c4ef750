using System.Globalization;

namespace CrossClusterIac.Topology.Cnpg.Monitoring;

/// <summary>One exported series at one scrape.</summary>
/// <param name="Name">Full metric name, e.g. <c>cnpg_pg_replication_lag</c>.</param>
/// <param name="Usage">Counter or gauge.</param>
/// <param name="Help">Help text.</param>
/// <param name="Labels">Label names and values, in CNPG's order.</param>
/// <param name="Value">The value (NaN for SQL NULL, as CNPG exports it).</param>
public sealed record MetricSample(string Name, ColumnUsage Usage, string Help, IReadOnlyList<KeyValuePair<string, string>> Labels, double Value)
{
    /// <summary>A gauge without labels.</summary>
    public static MetricSample Gauge(string name, string help, double value, params KeyValuePair<string, string>[] labels) =>
        new(name, ColumnUsage.Gauge, help, labels, value);
}

/// <summary>
/// What CNPG's instance exporter makes of a query's rows (pkg/management/postgres/metrics/collector.go computeMetrics,
/// listLabels, createMetricsFromColumns, createConstMetric; values by pkg/management/postgres/utils/utils.go
/// DBToFloat64 and DBToString): per row, one series per COUNTER or GAUGE column, named <c>cnpg_&lt;query&gt;_&lt;column&gt;</c>,
/// labelled with the row's LABEL columns in the file's order. A result whose column count differs from the file's
/// exports nothing, as CNPG does.
/// </summary>
public static class QuerySeries
{
    /// <summary>The series of one run of <paramref name="query"/>.</summary>
    public static IReadOnlyList<MetricSample> From(MonitoringQuery query, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (columns.Count != query.Columns.Count)
        {
            return [];
        }

        var mapping = query.Columns.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var samples = new List<MetricSample>();
        foreach (var row in rows)
        {
            // Labels in the order the result gives the LABEL columns, as listLabels walks the result's columns.
            var labels = columns.Select((name, i) => (name, i))
                .Where(c => mapping.TryGetValue(c.name, out var m) && m.Usage == ColumnUsage.Label)
                .Select(c => new KeyValuePair<string, string>(c.name, Text(row[c.i])))
                .ToList();
            for (var i = 0; i < columns.Count; i++)
            {
                if (mapping.TryGetValue(columns[i], out var column) && column.Usage is ColumnUsage.Counter or ColumnUsage.Gauge && Number(row[i]) is { } value)
                {
                    samples.Add(new MetricSample($"cnpg_{query.Name}_{column.Name}", column.Usage, column.Description, labels, value));
                }
            }
        }

        return samples;
    }

    // DBToFloat64: NULL is NaN; booleans 1/0; numbers and numeric text parsed; times as Unix seconds; other text is not exported.
    private static double? Number(object? value) => value switch
    {
        null or DBNull => double.NaN,
        bool b => b ? 1 : 0,
        DateTime t => new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToUnixTimeSeconds(),
        DateTimeOffset t => t.ToUnixTimeSeconds(),
        string s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed : null,
        IConvertible c => c.ToDouble(CultureInfo.InvariantCulture),
        _ => null,
    };

    // DBToString: NULL is the empty string.
    private static string Text(object? value) => value switch
    {
        null or DBNull => string.Empty,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
