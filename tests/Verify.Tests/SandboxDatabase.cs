using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Sandbox;
using CrossClusterIac.Verify.Checks;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Tests.Verify;

/// <summary>A sandbox's databases as its superuser sees them, beside verify rather than through it.</summary>
internal static class SandboxDatabase
{
    /// <summary>Opens <paramref name="database"/> on a region's instance as the sandbox-only superuser.</summary>
    public static async Task<NpgsqlConnection> OpenAsAdministratorAsync(RunningSandbox sandbox, string region, string database = "postgres")
    {
        using var identity = ClientIdentity.FromPem("postgres", await File.ReadAllTextAsync(sandbox.Administrator.CertificatePath), await File.ReadAllTextAsync(sandbox.Administrator.KeyPath));
        var root = Connector.TrustAnchors(sandbox.Outputs.RootCaCertificate);
        var target = ConnectionTarget.Instance(sandbox.Outputs.Regions.Single(r => r.Name == region));
        return await new Connector(root, database, TimeSpan.FromSeconds(5)).OpenAsync(target, identity, CancellationToken.None);
    }

    /// <summary>Rows in verify's probe table on the primary, by run id; none when the table does not exist yet.</summary>
    public static async Task<IReadOnlyDictionary<Guid, long>> ProbeRowsAsync(RunningSandbox sandbox)
    {
        await using var primary = await OpenAsAdministratorAsync(sandbox, sandbox.State.PrimaryRegion, sandbox.Outputs.Database);
        await using var command = new NpgsqlCommand($"SELECT run_id, count(*) FROM {CheckContext.ProbeTable} GROUP BY run_id", primary);
        var rows = new Dictionary<Guid, long>();
        try
        {
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows[reader.GetGuid(0)] = reader.GetInt64(1);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return rows;
        }

        return rows;
    }

    /// <summary>Waits until the probe table holds at least <paramref name="count"/> rows in all; fails after <paramref name="limit"/>.</summary>
    public static async Task<IReadOnlyDictionary<Guid, long>> UntilProbeRowsAsync(RunningSandbox sandbox, long count, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var rows = await ProbeRowsAsync(sandbox);
            if (rows.Values.Sum() >= count)
            {
                return rows;
            }

            Assert.True(DateTime.UtcNow < deadline, $"the probe table held {rows.Values.Sum()} rows, not {count}, after {limit.TotalSeconds} s");
            await Task.Delay(50);
        }
    }

    /// <summary>Pauses WAL replay on a replica, so that a verify run waits there with its rows written: the moment to interrupt it.</summary>
    public static async Task PauseReplayAsync(RunningSandbox sandbox, string region, bool pause)
    {
        await using var replica = await OpenAsAdministratorAsync(sandbox, region);
        await using var command = new NpgsqlCommand(pause ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()", replica);
        await command.ExecuteNonQueryAsync();
    }
}
