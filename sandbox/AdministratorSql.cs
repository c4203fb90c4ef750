using System.Security.Cryptography.X509Certificates;
using CrossClusterIac.Topology.Outputs;
using CrossClusterIac.Verify.Connections;
using Npgsql;

namespace CrossClusterIac.Sandbox;

/// <summary>
/// SQL on a region's instance as the sandbox-only superuser: what CNPG's instance manager runs over its local
/// socket (CHECKPOINT before a shutdown and before reading a restartpoint, the WAL receiver's view).
/// </summary>
internal sealed class AdministratorSql(string directory, TopologyOutputs outputs)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs <paramref name="sql"/> on <paramref name="region"/>'s instance and returns the first column of its first row.</summary>
    public async Task<T> ScalarAsync<T>(string region, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(region, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Runs <paramref name="sql"/> on <paramref name="region"/>'s instance.</summary>
    public async Task ExecuteAsync(string region, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(region, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="sql"/> and reads its one row as text, column by column (NULL as <c>null</c>).</summary>
    public async Task<IReadOnlyList<string?>> RowAsync(string region, string sql, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(region, cancellationToken);
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return [];
        }

        return Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? null : reader.GetValue(i).ToString()).ToList();
    }

    private async Task<NpgsqlConnection> OpenAsync(string region, CancellationToken cancellationToken)
    {
        var administrator = AdministratorCertificate.In(directory);
        using var identity = ClientIdentity.FromPem(SandboxOnly.AdministratorRole, await File.ReadAllTextAsync(administrator.CertificatePath, cancellationToken), await File.ReadAllTextAsync(administrator.KeyPath, cancellationToken));
        var root = Connector.TrustAnchors(outputs.RootCaCertificate);
        var target = ConnectionTarget.Instance(outputs.Regions.Single(r => r.Name == region));
        return await new Connector(root, "postgres", Timeout).OpenAsync(target, identity, cancellationToken);
    }
}
