using System.Diagnostics;
using CrossClusterIac.Topology.Cnpg.Monitoring;
using CrossClusterIac.Topology.Config;
using CrossClusterIac.Topology.Manifests;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Topology.Pki;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox.Monitoring;

/// <summary>
/// A region's instance exporter, as CNPG's instance manager runs it (pkg/management/postgres/webserver/metricserver):
/// at each scrape, CNPG v1.30.0's default queries (<c>../shared/cnpg/v1.30.0/default-monitoring.yaml</c>) and the
/// Cluster's custom queries (the rendered <c>customQueriesConfigMap</c>), each in a read-only transaction
/// (collector.go createMonitoringTx), <c>primary: true</c> ones only without <c>standby.signal</c> (instance.go
/// IsPrimary), a <c>predicate_query</c> first (parser.go isCollectable); and the instance manager's own series
/// (<see cref="InstanceManagerSeries"/>).
/// </summary>
/// <remarks>
/// CNPG connects as <c>cnpg_metrics_exporter</c> (a <c>pg_monitor</c> member) over the pod's local socket; the sandbox has
/// no socket and connects as its administrator over TLS to the region's own port, never across a link. Every view the
/// default queries read shows a <c>pg_monitor</c> member what it shows a superuser.
/// </remarks>
internal sealed class InstanceExporter(string directory, SandboxRegion region, IReadOnlyList<MonitoringQuery> defaults) : IAsyncDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    // One scrape at a time, on connections kept between scrapes as CNPG's pool keeps them; dropped after any failure.
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, NpgsqlConnection> _connections = new(StringComparer.Ordinal);

    // The instance manager's own series, counted across scrapes as its exporter's are.
    private readonly InstanceManagerSeries _manager = new();

    // The custom queries, rendered again only when the certificates change (a rotation rewrites pki-state.json), as
    // CNPG reloads the ConfigMap when it changes.
    private (DateTime Written, IReadOnlyList<MonitoringQuery> Queries)? _custom;

    /// <summary>CNPG's default database for a query without <c>target_databases</c> (metrics.go: the instance's <c>postgres</c>).</summary>
    private const string DefaultDatabase = "postgres";

    /// <summary>The series of one scrape.</summary>
    public async Task<IReadOnlyList<MetricSample>> ScrapeAsync(CancellationToken cancellationToken)
    {
        var cluster = LocalSandbox.Names(region.Name).Cluster;
        var clock = Stopwatch.StartNew();
        var samples = new List<MetricSample>();
        var up = true;
        var replicaCluster = region.Role == RegionRole.Replica;
        var (upSeconds, queriesSeconds) = (0.0, 0.0);
        Version? version = null;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var state = SandboxState.Read(Path.Combine(directory, SandboxState.FileName));
            replicaCluster = state.Regions.Single(r => r.Name == region.Name).Role == RegionRole.Replica;
            var outputs = TopologyOutputsJson.Parse(await File.ReadAllTextAsync(Path.Combine(directory, LocalSandbox.OutputsFileName), cancellationToken));

            // The ping before anything else (updateInstanceMetrics: db.Ping), on the connection kept for postgres.
            var ping = await ConnectionAsync(outputs, DefaultDatabase, cancellationToken);
            await using (var select = new NpgsqlCommand("SELECT 1", ping))
            {
                await select.ExecuteScalarAsync(cancellationToken);
            }

            (upSeconds, version) = (clock.Elapsed.TotalSeconds, ping.PostgreSqlVersion);
            clock.Restart();
            var queries = defaults.Concat(CustomQueries(state)).ToList();
            var isPrimary = !File.Exists(Path.Combine(region.Layout.Data, "standby.signal"));
            var accessible = await AccessibleDatabasesAsync(outputs, cancellationToken);
            // Each query in each of its databases (a pattern such as '*' matched against those one may connect to, as
            // collector.go expandTargetDatabases does); a connection per database.
            var runs = queries.SelectMany(q => q.TargetDatabases.DefaultIfEmpty(DefaultDatabase)
                    .SelectMany(target => target.Contains('*', StringComparison.Ordinal) ? accessible.Where(d => System.IO.Enumeration.FileSystemName.MatchesSimpleExpression(target, d, ignoreCase: false)) : [target])
                    .Distinct(StringComparer.Ordinal)
                    .Select(database => (Query: q, Database: database)))
                .GroupBy(run => run.Database, StringComparer.Ordinal);
            foreach (var database in runs)
            {
                var connection = await ConnectionAsync(outputs, database.Key, cancellationToken);
                var major = connection.PostgreSqlVersion.Major;
                foreach (var (query, _) in database.Where(run => (!run.Query.PrimaryOnly || isPrimary) && run.Query.RunsOn(major)))
                {
                    samples.AddRange(await RunAsync(connection, query, cancellationToken));
                }
            }

            queriesSeconds = clock.Elapsed.TotalSeconds;
        }
        catch (Exception e) when (e is NpgsqlException or IOException or SandboxException or TimeoutException)
        {
            // PostgreSQL down or refusing: CNPG's collector sets up 0 and exports no query series (pg_collector.go updateInstanceMetrics).
            (up, upSeconds) = (false, upSeconds == 0 ? clock.Elapsed.TotalSeconds : upSeconds);
            samples.Clear();
            foreach (var connection in _connections.Values)
            {
                await connection.DisposeAsync();
            }

            _connections.Clear();
        }
        finally
        {
            _gate.Release();
        }

        samples.AddRange(_manager.Collect(cluster, replicaCluster, up, Path.Combine(region.Layout.Data, "pg_wal"), version, upSeconds, queriesSeconds));
        return samples;
    }

    // The certificate query, as the Cluster's customQueriesConfigMap holds it with the dates of the certificates in use.
    private IReadOnlyList<MonitoringQuery> CustomQueries(SandboxState state)
    {
        var written = File.GetLastWriteTimeUtc(Path.Combine(directory, IssuedCertificates.FileName));
        if (_custom is { } cached && cached.Written == written)
        {
            return cached.Queries;
        }

        var topology = SandboxMonitoring.Monitored(SandboxTopology.For(state.Regions, state.Pki, replication: state.Replication));
        var pki = IssuedCertificates.Read(directory, PkiPlan.For(topology));
        var configMap = TopologyManifests.For(topology, pki.Plan).Single(m => m.Region == region.Name).Monitoring.Single(m => m.Kind == "ConfigMap");
        var data = (IReadOnlyDictionary<string, object?>)ManifestDocument.ToObject(configMap, pki.Material, spec => pki[spec].Certificate.NotAfter)["data"]!;
        var queries = data.Values.OfType<string>().SelectMany(MonitoringQuery.Parse).ToList();
        _custom = (written, queries);
        return queries;
    }

    /// <summary>Closes the connections kept between scrapes.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync();
        }

        _gate.Dispose();
    }

    // collector.go getAllAccessibleDatabases.
    private async Task<IReadOnlyList<string>> AccessibleDatabasesAsync(TopologyOutputs outputs, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(outputs, DefaultDatabase, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT datname FROM pg_catalog.pg_database WHERE datallowconn AND NOT datistemplate AND pg_catalog.has_database_privilege(datname, 'CONNECT')", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var databases = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            databases.Add(reader.GetString(0));
        }

        return databases;
    }

    private static async Task<IReadOnlyList<MetricSample>> RunAsync(NpgsqlConnection connection, MonitoringQuery query, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY; SET LOCAL search_path = pg_catalog, public, pg_temp", connection, transaction))
        {
            await readOnly.ExecuteNonQueryAsync(cancellationToken);
        }

        if (query.PredicateSql is { } predicate)
        {
            await using var check = new NpgsqlCommand(predicate, connection, transaction);
            if (await check.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return [];
            }
        }

        await using var command = new NpgsqlCommand(query.Sql, connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        var rows = new List<object?[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object?[reader.FieldCount];
            reader.GetValues(row!);
            rows.Add(row);
        }

        return QuerySeries.From(query, columns, rows);
    }

    private async Task<NpgsqlConnection> ConnectionAsync(TopologyOutputs outputs, string database, CancellationToken cancellationToken)
    {
        if (!_connections.TryGetValue(database, out var connection))
        {
            connection = await OpenAsync(outputs, database, cancellationToken);
            _connections[database] = connection;
        }

        return connection;
    }

    private async Task<NpgsqlConnection> OpenAsync(TopologyOutputs outputs, string database, CancellationToken cancellationToken)
    {
        var administrator = AdministratorCertificate.In(directory);
        using var identity = ClientIdentity.FromPem(SandboxOnly.AdministratorRole, await File.ReadAllTextAsync(administrator.CertificatePath, cancellationToken), await File.ReadAllTextAsync(administrator.KeyPath, cancellationToken));
        var serverName = outputs.Regions.Single(r => r.Name == region.Name).Instance.ServerName;
        var target = new ConnectionTarget(region.Name, EndpointKind.Instance, new Endpoint(SandboxTopology.Address, region.InstancePort, serverName));
        return await new Connector(Connector.TrustAnchors(outputs.RootCaCertificate), database, Timeout).OpenAsync(target, identity, cancellationToken);
    }
}
