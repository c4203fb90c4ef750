using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Cnpg;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Verify.Checks;

/// <summary>
/// CNPG's view beside verify's (<c>--kube</c>): per region, the Cluster and Pooler status read through the region's
/// kubeconfig context and a small SQL look as the verify role, compared by <see cref="CnpgView"/>.
/// </summary>
public static class CnpgChecks
{
    /// <summary>The checks, or none without <c>--kube</c>.</summary>
    public static IEnumerable<Check> For(CheckContext context)
    {
        if (context.Options.Kube is not { } kube)
        {
            return [];
        }

        return context.Outputs.Regions.SelectMany(region =>
        {
            var reader = context.Own(new CnpgReader(kube with { Namespace = kube.NamespaceIn(context.Outputs) }, kube.Contexts[region.Name], context.Options.Timeout));

            // One read of each view per region, shared by the region's checks, so the checks compare the same moment.
            var views = new Lazy<Task<RegionViews>>(() => ReadAsync(context, reader, region));
            var checks = new List<Check>
            {
                Finding(CnpgView.StatusCheck, region, views),
                Finding(CnpgView.CurrentPrimaryCheck, region, views),
            };
            if (region.Role == RegionRole.Replica)
            {
                checks.Add(Finding(CnpgView.ReadyButNotStreamingCheck, region, views));
            }

            // The Pooler is read on its own: a Pooler that cannot be read says nothing of the Cluster.
            checks.Add(new Check(CnpgView.PoolerStatusCheck, region.Name, async ct =>
            {
                try
                {
                    return CnpgView.Pooler(await reader.PoolerAsync($"{region.Cluster}-pooler-rw", ct));
                }
                catch (CnpgReadException e)
                {
                    return CheckOutcome.Fail("CNPG's Pooler status could not be read", e.Message);
                }
            }));
            return checks;
        });
    }

    private static Check Finding(string name, RegionOutputs region, Lazy<Task<RegionViews>> views) =>
        new(name, region.Name, async ct =>
        {
            var read = await views.Value.WaitAsync(ct);
            if (read.ClusterFailure is { } failure)
            {
                return name == CnpgView.StatusCheck
                    ? CheckOutcome.Fail("CNPG's Cluster status could not be read", failure)
                    : CheckOutcome.Fail("CNPG's view is unavailable", $"nothing to compare with verify's SQL view: {failure}");
            }

            var findings = read.Sql is { } sql
                ? CnpgView.Compare(read.Cluster!, sql)
                : CnpgView.CompareWithoutSql(read.Cluster!, region.Role, read.SqlFailure!);
            return findings.Single(f => f.Name == name).Outcome;
        });

    // Bounded by the run's token and limits of its own (the reader's, the connector's), not by one check's.
    private static async Task<RegionViews> ReadAsync(CheckContext context, CnpgReader reader, RegionOutputs region)
    {
        var cluster = Task.Run(() => reader.ClusterAsync(region.Cluster, context.Run));
        var sql = Task.Run(() => SqlViewAsync(context, region));
        try
        {
            await Task.WhenAll(cluster, sql);
        }
        catch (Exception) when (!context.Run.IsCancellationRequested)
        {
            // Each task's own outcome is read below.
        }

        if (cluster.Exception?.InnerException is { } clusterError)
        {
            return clusterError is CnpgReadException read ? new RegionViews(null, read.Message, null, null) : throw clusterError;
        }

        if (sql.Exception?.InnerException is EndpointException endpoint)
        {
            var diagnosis = await Diagnoses.EndpointAsync(context, endpoint.InnerException!, endpoint.Target);
            return new RegionViews(cluster.Result, null, null, $"{endpoint.Action} at {endpoint.Target} failed: {diagnosis.Text}");
        }

        return new RegionViews(cluster.Result, null, await sql, null);
    }

    /// <summary>
    /// What verify's SQL sees of <paramref name="region"/>'s read-write instance, as the verify role; a failure is an
    /// <see cref="EndpointException"/> naming the endpoint.
    /// </summary>
    public static async Task<SqlView> SqlViewAsync(CheckContext context, RegionOutputs region)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.Run);
        limit.CancelAfter(context.Options.Timeout * 2);
        var target = ConnectionTarget.Instance(region);
        return await EndpointException.Attribute(target, "reading the SQL view (pg_stat_wal_receiver, pg_stat_archiver)", async () =>
        {
            await using var connection = await context.OpenAsVerifyAsync(target, limit.Token);

            // inet_server_addr() is the address the server accepted the connection on: behind a NodePort or load balancer,
            // the pod's own IP, which CNPG reports per instance in status.instancesReportedState.
            await using var command = new NpgsqlCommand(
                """
                SELECT pg_is_in_recovery(),
                       (SELECT status FROM pg_stat_wal_receiver),
                       host(inet_server_addr()),
                       (SELECT last_archived_wal FROM pg_stat_archiver)
                """,
                connection);
            await using var reader = await command.ExecuteReaderAsync(limit.Token);
            await reader.ReadAsync(limit.Token);
            return new SqlView(
                region.Cluster,
                region.Role,
                reader.GetBoolean(0),
                reader.IsDBNull(1) ? null : reader.GetString(1),
                reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3));
        });
    }

    private sealed record RegionViews(CnpgClusterStatus? Cluster, string? ClusterFailure, SqlView? Sql, string? SqlFailure);
}
