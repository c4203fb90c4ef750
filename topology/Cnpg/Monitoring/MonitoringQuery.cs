using System.Text.Json.Nodes;
using CrossClusterIac.Topology.Config;

namespace CrossClusterIac.Topology.Cnpg.Monitoring;

/// <summary>How CNPG exports a query's column (pkg/management/postgres/metrics/parser.go ColumnUsage).</summary>
public enum ColumnUsage
{
    /// <summary>Not exported.</summary>
    Discard,

    /// <summary>A label of every series of the row.</summary>
    Label,

    /// <summary>A counter.</summary>
    Counter,

    /// <summary>A gauge.</summary>
    Gauge,
}

/// <summary>One column of a query and how it is exported.</summary>
/// <param name="Name">The column's name in the result, and the metric's suffix.</param>
/// <param name="Usage">How it is exported.</param>
/// <param name="Description">The metric's help text.</param>
public sealed record QueryColumn(string Name, ColumnUsage Usage, string Description);

/// <summary>
/// One query of CNPG's instance exporter, as CNPG reads it from its default ConfigMap or a Cluster's
/// <c>customQueriesConfigMap</c> (pkg/management/postgres/metrics/parser.go UserQuery).
/// </summary>
/// <param name="Name">The metrics' prefix after <c>cnpg_</c>: the query's key, or its <c>name</c>.</param>
/// <param name="Sql">The query.</param>
/// <param name="PredicateSql">Run first in the same transaction; the query runs only if it returns true (<c>isCollectable</c>).</param>
/// <param name="PrimaryOnly"><c>primary: true</c> (or the older <c>master</c>): run only on a primary, one without <c>standby.signal</c>.</param>
/// <param name="RunOnServer">A PostgreSQL version range (<c>runonserver</c>), or <c>null</c> for any.</param>
/// <param name="TargetDatabases">The databases to run in; empty means CNPG's default database.</param>
/// <param name="Columns">The columns in the order the file lists them; LABEL columns give the labels in that order.</param>
public sealed record MonitoringQuery(
    string Name, string Sql, string? PredicateSql, bool PrimaryOnly, string? RunOnServer, IReadOnlyList<string> TargetDatabases, IReadOnlyList<QueryColumn> Columns)
{
    /// <summary>
    /// Reads a queries file (the YAML under the ConfigMap key CNPG reads), queries in the file's order. Usages CNPG
    /// knows but this model does not (MAPPEDMETRIC, DURATION, HISTOGRAM) are refused rather than exported differently.
    /// </summary>
    /// <exception cref="CnpgRealisationException">The text is not a queries file of that form.</exception>
    public static IReadOnlyList<MonitoringQuery> Parse(string yaml)
    {
        JsonNode? root;
        try
        {
            root = BoundedYaml.Read(yaml, path => path);
        }
        catch (TopologyConfigException e)
        {
            throw new CnpgRealisationException($"monitoring queries: {e.Message}");
        }

        if (root is not JsonObject queries)
        {
            throw new CnpgRealisationException("monitoring queries: expected a mapping of query names");
        }

        return [.. queries.Select(q => Read(q.Key, q.Value as JsonObject ?? throw new CnpgRealisationException($"monitoring query {q.Key}: expected a mapping")))];
    }

    /// <summary>The queries under <paramref name="key"/> of a ConfigMap's YAML, as CNPG reads its default ConfigMap.</summary>
    /// <exception cref="CnpgRealisationException">The ConfigMap has no such key, or it is not a queries file.</exception>
    public static IReadOnlyList<MonitoringQuery> FromConfigMap(string yaml, string key)
    {
        JsonNode? root;
        try
        {
            root = BoundedYaml.Read(yaml, path => path);
        }
        catch (TopologyConfigException e)
        {
            throw new CnpgRealisationException($"monitoring ConfigMap: {e.Message}");
        }

        return Parse(root?["data"]?[key]?.GetValue<string>() ?? throw new CnpgRealisationException($"monitoring ConfigMap: no data.{key}"));
    }

    /// <summary>Whether the query runs on a server of that major version (only the <c>&lt;N.0.0</c> and <c>&gt;=N.0.0</c> ranges CNPG's files use).</summary>
    /// <exception cref="CnpgRealisationException">Another form of range.</exception>
    public bool RunsOn(int majorVersion)
    {
        if (RunOnServer is null)
        {
            return true;
        }

        var range = RunOnServer.Trim();
        return range switch
        {
            _ when range.StartsWith(">=", StringComparison.Ordinal) => majorVersion >= Major(range[2..]),
            _ when range.StartsWith('<') => majorVersion < Major(range[1..]),
            _ => throw new CnpgRealisationException($"monitoring query {Name}: runonserver '{RunOnServer}' is not a range modelled here (>=N.0.0 or <N.0.0)"),
        };
    }

    private int Major(string version) =>
        version.Split('.') is [var major, "0", "0"] && int.TryParse(major, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new CnpgRealisationException($"monitoring query {Name}: runonserver '{RunOnServer}' is not a range modelled here (>=N.0.0 or <N.0.0)");

    private static MonitoringQuery Read(string key, JsonObject query)
    {
        string? Text(string field) => query[field]?.GetValueKind() == System.Text.Json.JsonValueKind.String ? query[field]!.GetValue<string>() : query[field]?.ToJsonString();
        bool Flag(string field) => query[field] is { } node && (node.GetValueKind() == System.Text.Json.JsonValueKind.True || string.Equals(Text(field), "true", StringComparison.Ordinal));
        var sql = Text("query") ?? throw new CnpgRealisationException($"monitoring query {key}: no query");
        var columns = (query["metrics"] as JsonArray ?? throw new CnpgRealisationException($"monitoring query {key}: no metrics"))
            .Select(entry => entry is JsonObject { Count: 1 } column
                ? Column(key, column.Single().Key, column.Single().Value as JsonObject)
                : throw new CnpgRealisationException($"monitoring query {key}: each metric is a mapping of one column name"))
            .ToList();
        var databases = query["target_databases"] is JsonArray targets ? targets.Select(t => t!.GetValue<string>()).ToList() : [];
        return new MonitoringQuery(Text("name") ?? key, sql, Text("predicate_query"), Flag("primary") || Flag("master"), Text("runonserver"), databases, columns);
    }

    private static QueryColumn Column(string query, string name, JsonObject? column)
    {
        var usage = column?["usage"]?.GetValue<string>();
        return new QueryColumn(name, usage switch
        {
            "DISCARD" => ColumnUsage.Discard,
            "LABEL" => ColumnUsage.Label,
            "COUNTER" => ColumnUsage.Counter,
            "GAUGE" => ColumnUsage.Gauge,
            _ => throw new CnpgRealisationException($"monitoring query {query}: column {name} has usage '{usage}', which is not modelled (DISCARD, LABEL, COUNTER, GAUGE)"),
        }, column?["description"]?.GetValue<string>() ?? string.Empty);
    }
}
